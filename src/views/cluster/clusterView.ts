import * as vscode from "vscode";
import type { Services } from "../../services/container";
import type { FollowedCluster } from "../../app/cluster/follow";
import { connectOptions, workspaceProfile } from "../../services/clusterConnection";
import { publishClusterSetup } from "../../services/clusterSettings";
import { userMessage } from "../../services/messages";
import { presentedTreeItem } from "../treeItem";
import { EMPTY_SNAPSHOT, healthAges, type ClusterSnapshot } from "../../core/cluster/snapshot";
import type { ClusterModel } from "./clusterModel";
import type { ClusterRow } from "./clusterRow";

const STALE_TICK_MS = 5_000;
/**
 * An event after a quiet spell is drawn at once, with the others of the same tick (the thousands
 * of a list are one update); a stream of events (a Job starting its pods) at most this often.
 */
const UPDATE_EVERY_MS = 50;

/**
 * The Cluster view: the selected context and its health, namespaces, Parity runs, training jobs
 * and GPU nodes. Informers, the kubeconfig's watch and the server's health probe (GET /version
 * every 2 s, the one request that repeats) run only while the view is visible. An event updates
 * the rows it touches (ClusterModel) and refreshes only those.
 */
export class ClusterView implements vscode.TreeDataProvider<ClusterRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ClusterRow[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private snapshot: ClusterSnapshot = { ...EMPTY_SNAPSHOT, contexts: [], health: { state: "connecting" } };
  private followed?: FollowedCluster;
  private pending?: ReturnType<typeof setTimeout>;
  private lastUpdate = 0;
  /** The rows' model is bundled apart (dist/clusterModel.js): the view is collapsed until asked for. */
  private model?: ClusterModel;
  /** Whether the rows are shown, rather than the welcome content. */
  private ready = false;
  /** The context keys and status last published, so that an event that changes none publishes nothing. */
  private published = "";
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
      this.model ??= new model.ClusterModel();
      const profile = await workspaceProfile(this.services, app);
      if (!current()) return;
      // Follows the kubeconfig's files and probes the server while the view is visible.
      const followed = app.followCluster(connectOptions(profile));
      this.followed = followed;
      followed.onChange(() => this.schedule());
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

  private schedule(): void {
    if (this.pending) return;
    const wait = Math.max(0, this.lastUpdate + UPDATE_EVERY_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.lastUpdate = Date.now();
      this.rebuild();
    }, wait);
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
    // No kubeconfig, or none that chooses a context: no rows, so that the welcome content
    // (package.json viewsWelcome, by parity.cluster.setup) says what Parity looked for. Looked at
    // with every event, a file's presence only: a kubeconfig removed under a chosen context too.
    const ready = publishClusterSetup(snapshot) === "ready";
    const changed = this.model?.update(snapshot, Date.now());
    this.publish(snapshot);
    this.tickWhileStale();
    if (ready !== this.ready) {
      this.ready = ready;
      this.changed.fire(undefined);
    } else if (ready && (changed === undefined || changed.length > 0)) {
      this.changed.fire(changed);
    }
  }

  /** The status bar's and the menus' view of the connection, when it changed. */
  private publish(snapshot: ClusterSnapshot): void {
    const { context, namespace, health, canSubmit, canDelete } = snapshot;
    // Hidden only when the rules review of a connection whose informers run says no; the server
    // decides otherwise.
    const watching = !["connecting", "unreachable"].includes(health.state);
    // When the cluster was last heard from moves with every event; it is shown only as an age.
    const shownHealth = healthAges(health) ? health : { ...health, lastHeardAt: undefined };
    const published = JSON.stringify([context, namespace, shownHealth, watching, canSubmit, canDelete]);
    if (published === this.published) return;
    this.published = published;
    this.services.clusterStatus.update({ context, namespace, health });
    void vscode.commands.executeCommand("setContext", "parity.cluster.submitDenied", watching && !canSubmit);
    void vscode.commands.executeCommand("setContext", "parity.cluster.deleteDenied", watching && !canDelete);
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
    clearTimeout(this.pending);
    this.pending = undefined;
    this.followed?.stop();
    this.followed = undefined;
    this.tickWhileStale();
    // Unwatched, nothing says what the cluster's rules allow: a "no" read for another namespace
    // would hide Run on Cluster until the view is shown again (the server still refuses, and
    // Parity explains). Published afresh when the next connection's review says otherwise.
    this.published = "";
    void vscode.commands.executeCommand("setContext", "parity.cluster.submitDenied", false);
    void vscode.commands.executeCommand("setContext", "parity.cluster.deleteDenied", false);
  }

  getChildren(row?: ClusterRow): ClusterRow[] {
    if (row) return row.children ?? [];
    return this.ready ? (this.model?.rows ?? []) : [];
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
