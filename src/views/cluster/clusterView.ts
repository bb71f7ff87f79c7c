import * as vscode from "vscode";
import type { Services } from "../../services/container";
import type { ClusterWatch } from "../../app/cluster/watch";
import { connectOptions, workspaceProfile } from "../../services/clusterConnection";
import { userMessage } from "../../services/messages";
import { Debouncer } from "../../services/refresh";
import { presentedTreeItem } from "../treeItem";
import type { ClusterSnapshot } from "../../core/cluster/snapshot";
import type { ClusterRow } from "./clusterRow";

const EMPTY: Omit<ClusterSnapshot, "contexts" | "health"> = {
  namespaces: [],
  pods: [],
  podsScope: "namespace",
  nodes: [],
  workloads: [],
  canSubmit: false,
  canDelete: false,
};
const STALE_TICK_MS = 5_000;

/**
 * The Cluster view: the selected context and its health, namespaces, Parity runs, training jobs
 * and GPU nodes. Informers run only while the view is visible (stopped when hidden), updates are
 * debounced, and nothing polls the cluster.
 */
export class ClusterView implements vscode.TreeDataProvider<ClusterRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debouncer = new Debouncer(() => this.rebuild(), 300);
  private readonly subscriptions: vscode.Disposable[];
  private rows: ClusterRow[] = [];
  private snapshot: ClusterSnapshot = { ...EMPTY, contexts: [], health: { state: "connecting" } };
  private watch?: ClusterWatch;
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
    try {
      const [app, model] = await Promise.all([this.services.app(), import("./clusterModel")]);
      this.rowsOf = model.clusterRows;
      const { contexts, current: kubeCurrent } = app.kubeContexts(process.env);
      const profile = await workspaceProfile(this.services, app);
      const options = connectOptions(profile);
      const context = options.context ?? profile.cluster?.context ?? kubeCurrent;
      this.show({
        ...EMPTY,
        contexts,
        context,
        namespace: options.namespace,
        health: { state: "connecting" },
      });
      const signal = AbortSignal.timeout(30_000);
      const connection = await app.connectCluster({ ...options, signal, timeoutMs: 10_000 });
      if (!current()) return;
      const watch = await app.watchCluster(connection, signal);
      if (!current()) return watch.stop();
      this.watch = watch;
      this.snapshot = { ...watch.snapshot(), contexts };
      watch.onChange(() => this.debouncer.trigger());
      this.rebuild();
    } catch (error) {
      if (!current()) return;
      this.services.log(`Cluster view: ${userMessage(error)}`);
      this.show({ ...this.snapshot, ...EMPTY, health: { state: "unreachable", error: userMessage(error) } });
    }
  }

  private rebuild(): void {
    if (this.watch) this.snapshot = { ...this.watch.snapshot(), contexts: this.snapshot.contexts };
    this.show(this.snapshot);
  }

  private show(snapshot: ClusterSnapshot): void {
    this.snapshot = snapshot;
    this.rows = this.rowsOf?.(snapshot, Date.now()) ?? [];
    const { context, namespace, health } = snapshot;
    this.services.clusterStatus.update({ context, namespace, health });
    // Hidden only when the rules review of a live connection says no; the server decides otherwise.
    const watching = this.watch !== undefined;
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

  /** A stale connection's age in the context row: redrawn locally, nothing is asked of the cluster. */
  private tickWhileStale(): void {
    const stale = this.visible && this.snapshot.health.state === "stale";
    if (stale && !this.ticker) this.ticker = setInterval(() => this.show(this.snapshot), STALE_TICK_MS);
    if (!stale && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private stopWatching(): void {
    this.generation++;
    this.debouncer.dispose();
    this.watch?.stop();
    this.watch = undefined;
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
