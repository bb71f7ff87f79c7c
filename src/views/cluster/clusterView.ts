import * as vscode from "vscode";
import type { Services } from "../../services/container";
import type { FollowedCluster } from "../../app/cluster/follow";
import { connectOptions, workspaceProfile } from "../../services/clusterConnection";
import { userMessage } from "../../services/messages";
import { Debouncer } from "../../services/refresh";
import { presentedTreeItem } from "../treeItem";
import { EMPTY_SNAPSHOT, healthAges, type ClusterSnapshot } from "../../core/cluster/snapshot";
import type { ClusterRow } from "./clusterRow";

const STALE_TICK_MS = 5_000;

/**
 * The Cluster view: the selected context and its health, namespaces, Parity runs, training jobs
 * and GPU nodes. Informers, the kubeconfig's watch and the server's health probe (GET /version
 * every 2 s, the one request that repeats) run only while the view is visible, and updates are
 * debounced.
 */
export class ClusterView implements vscode.TreeDataProvider<ClusterRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debouncer = new Debouncer(() => this.rebuild(), 300);
  private readonly subscriptions: vscode.Disposable[];
  private rows: ClusterRow[] = [];
  private snapshot: ClusterSnapshot = { ...EMPTY_SNAPSHOT, contexts: [], health: { state: "connecting" } };
  private followed?: FollowedCluster;
  /** The rows' model is bundled apart (dist/clusterModel.js): the view is collapsed until asked for. */
  private rowsOf?: typeof import("./clusterModel").clusterRows;
  private generation = 0;
  private visible = false;
  private ticker?: ReturnType<typeof setInterval>;

  constructor(private readonly services: Services) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("parity.cluster")) this.restart();
      }),
    ];
  }

  attach(view: vscode.TreeView<ClusterRow>): void {
    this.subscriptions.push(view.onDidChangeVisibility((event) => this.setVisible(event.visible)));
    this.setVisible(view.visible);
  }

  /** Connects again (Refresh, a new context or namespace) when the view is visible. */
  restart(): void {
    if (!this.visible) return;
    this.stopWatching();
    void this.start();
  }

  private setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    this.services.clusterStatus.update({ viewVisible: visible });
    if (visible) void this.start();
    else this.stopWatching();
  }

  private async start(): Promise<void> {
    const generation = ++this.generation;
    const current = () => generation === this.generation && this.visible;
    this.show({ ...this.snapshot, ...EMPTY_SNAPSHOT, health: { state: "connecting" } });
    try {
      const [app, model] = await Promise.all([this.services.app(), import("./clusterModel")]);
      this.rowsOf = model.clusterRows;
      const profile = await workspaceProfile(this.services, app);
      if (!current()) return;
      // Follows the kubeconfig's files and probes the server while the view is visible.
      const followed = app.followCluster(connectOptions(profile));
      this.followed = followed;
      followed.onChange(() => this.debouncer.trigger());
      this.rebuild();
    } catch (error) {
      if (!current()) return;
      this.services.log(`Cluster view: ${userMessage(error)}`);
      this.show({
        ...this.snapshot,
        ...EMPTY_SNAPSHOT,
        health: { state: "unreachable", error: userMessage(error) },
      });
    }
  }

  private rebuild(): void {
    if (!this.followed) return;
    const snapshot = this.followed.snapshot();
    const error = snapshot.health.error;
    if (error && error !== this.snapshot.health.error) this.services.log(`Cluster view: ${error}`);
    this.show(snapshot);
  }

  private show(snapshot: ClusterSnapshot): void {
    this.snapshot = snapshot;
    this.rows = this.rowsOf?.(snapshot, Date.now()) ?? [];
    const { context, namespace, health } = snapshot;
    this.services.clusterStatus.update({ context, namespace, health });
    // Hidden only when the rules review of a connection whose informers run says no; the server
    // decides otherwise.
    const watching = !["connecting", "unreachable"].includes(snapshot.health.state);
    void vscode.commands.executeCommand(
      "setContext",
      "parity.cluster.submitDenied",
      watching && !snapshot.canSubmit,
    );
    void vscode.commands.executeCommand(
      "setContext",
      "parity.cluster.deleteDenied",
      watching && !snapshot.canDelete,
    );
    this.tickWhileStale();
    this.changed.fire();
  }

  /** A stale or lost connection's age in the context row: redrawn locally, nothing is asked of the cluster. */
  private tickWhileStale(): void {
    const stale = this.visible && healthAges(this.snapshot.health);
    if (stale && !this.ticker) this.ticker = setInterval(() => this.show(this.snapshot), STALE_TICK_MS);
    if (!stale && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private stopWatching(): void {
    this.generation++;
    this.debouncer.dispose();
    this.followed?.stop();
    this.followed = undefined;
    this.tickWhileStale();
  }

  getChildren(row?: ClusterRow): ClusterRow[] {
    return row ? (row.children ?? []) : this.rows;
  }

  getTreeItem(row: ClusterRow): vscode.TreeItem {
    // Sections stay collapsible while empty: VS Code keeps an id's first state, so a section that
    // started empty would never open by itself once its rows arrive.
    const state = !row.children
      ? vscode.TreeItemCollapsibleState.None
      : row.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
    const item = presentedTreeItem(row, state);
    item.id = row.id;
    if (row.command) item.command = { command: row.command, title: row.label, arguments: [row] };
    item.accessibilityInformation = { label: [row.label, row.description].filter(Boolean).join(", ") };
    return item;
  }

  dispose(): void {
    this.visible = false;
    this.stopWatching();
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}
