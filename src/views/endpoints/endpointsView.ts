import * as vscode from "vscode";
import { readRecord, RECORD_PATTERNS, type StoredRun } from "../../app/store";
import { ParityError } from "../../core/errors";
import { isFinished } from "../../core/workload/status";
import type { Services } from "../../services/container";
import { Debouncer, StreamFollower } from "../../services/refresh";
import { recordedRuns } from "../../services/runRecords";
import { presentedTreeItem } from "../treeItem";
import {
  endpointNodes,
  presentEndpoint,
  presentTraffic,
  trafficNodes,
  type EndpointNode,
  type EndpointsTreeNode,
} from "./endpointsModel";

/** How long after its container died an endpoint's record is read again before Parity settles it. */
const SETTLE_AFTER_DIE_MS = 1500;

/** How long a cluster endpoint whose watch failed (no cluster to reach) waits before the view tries again. */
const WATCH_RETRY_MS = 30_000;

/**
 * The Endpoints view: each endpoint of the workspace (parity serve, Deploy Model; later the
 * cluster's) by its newest record, with a cluster endpoint's traffic split under it, and the
 * deployments of this window still building. While visible it follows the run records through
 * file watchers, debounced, and the runs of this window; while a local endpoint serves without a
 * process following it (it was deployed detached), Docker's events for its container too: one
 * that dies (out of memory under load, stopped with docker stop) is settled at once in a trusted
 * workspace, so that its row never says it serves when it does not. A cluster endpoint that no
 * process of this window follows has its InferenceService watched while the view shows it (in a
 * trusted workspace: reaching the cluster may run kubeconfig plugins), its record read again on each
 * change: conditions, URL, traffic, or its end once deleted. Hidden, it follows nothing.
 */
export class EndpointsView implements vscode.TreeDataProvider<EndpointsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debouncer = new Debouncer(() => this.changed.fire(), 500);
  private readonly engine: StreamFollower;
  private watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];
  private visible = false;
  /** Local endpoints recorded as live that no process of this window follows, by run id. */
  private unfollowed = new Map<string, StoredRun>();
  private readonly settling = new Set<string>();
  /** Cluster endpoints watched, by record folder; and when a failed one may be tried again. */
  private readonly watching = new Map<string, AbortController>();
  private readonly retryAt = new Map<string, number>();

  constructor(private readonly services: Services) {
    this.engine = new StreamFollower({
      follow: async (signal, onEvent) => {
        const app = await services.app();
        await app.followRunEvents(services.workspaceSessionContext(signal), (event) => {
          onEvent();
          if (event.action === "die" && event.runId) this.containerDied(event.runId);
        });
      },
      onEvent: () => this.debouncer.trigger(),
      onGiveUp: (error) =>
        services.log(
          `Endpoints view: Docker's event stream stopped (${error instanceof Error ? error.message : String(error)}); the view follows the endpoints' records only.`,
        ),
    });
    this.subscriptions = [services.activeRuns.onDidChange(() => this.changed.fire())];
  }

  attach(view: vscode.TreeView<EndpointsTreeNode>): void {
    this.subscriptions.push(view.onDidChangeVisibility((event) => this.setVisible(event.visible)));
    this.setVisible(view.visible);
  }

  private setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) {
      const onRecord = (): void => this.debouncer.trigger();
      for (const pattern of RECORD_PATTERNS) {
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        this.watchers.push(
          watcher,
          watcher.onDidCreate(onRecord),
          watcher.onDidChange(onRecord),
          watcher.onDidDelete(onRecord),
        );
      }
      this.changed.fire();
    } else {
      this.watchers.splice(0).forEach((watcher) => watcher.dispose());
      this.engine.stop();
      this.debouncer.dispose();
      this.followClusters([]);
    }
  }

  async getChildren(element?: EndpointsTreeNode): Promise<EndpointsTreeNode[]> {
    if (element?.kind === "endpoint") return trafficNodes(element);
    if (element) return [];
    const runs = await recordedRuns();
    const building = this.services.activeRuns
      .building()
      .filter((run) => run.kind === "endpoint")
      .map((run) => ({ key: run.key, notebookFile: run.notebookFile, target: run.target }));
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const nodes = endpointNodes(runs, building, (folder) =>
      vscode.workspace.asRelativePath(folder, multiRoot),
    );
    this.followEngine(runs);
    this.followClusters(nodes);
    return nodes;
  }

  getTreeItem(node: EndpointsTreeNode): vscode.TreeItem {
    const { Expanded, None } = vscode.TreeItemCollapsibleState;
    if (node.kind === "traffic") {
      const row = presentTraffic(node);
      const item = presentedTreeItem(row, None);
      item.id = `traffic:${node.endpoint.dir ?? node.endpoint.runId}:${node.share.revision}:${node.share.tag ?? ""}`;
      item.accessibilityInformation = { label: `${row.label}, ${row.description ?? ""}` };
      return item;
    }
    const row = presentEndpoint(node);
    const split = trafficNodes(node).length > 0;
    const item = presentedTreeItem(row, split ? Expanded : None);
    // A row that gains its split (KServe reported it) is a new item to VS Code, so that it opens
    // expanded; one that had it keeps whatever the user made of it.
    item.id = `endpoint:${node.dir ?? node.runId}${split ? ":split" : ""}`;
    if (node.record)
      item.command = { command: "parity.openEndpoint", title: "Open Endpoint", arguments: [node] };
    item.accessibilityInformation = { label: `Endpoint ${row.label}, ${row.description ?? ""}` };
    return item;
  }

  /**
   * Docker's events are followed while a local endpoint is recorded as live with no process of this
   * window following it, and only in a trusted workspace (settling reads its container).
   */
  private followEngine(runs: readonly StoredRun[]): void {
    this.unfollowed = new Map(
      runs
        .filter(
          (run) =>
            run.result.kind === "endpoint" &&
            run.result.target === "local" &&
            !isFinished(run.result.status) &&
            !this.services.activeRuns.find(run.result.runId),
        )
        .map((run) => [run.result.runId, run]),
    );
    const wanted = this.visible && vscode.workspace.isTrusted && this.unfollowed.size > 0;
    if (wanted && !this.engine.running) this.engine.start();
    if (!wanted && this.engine.running) this.engine.stop();
  }

  /**
   * Each row's cluster endpoint recorded as live, that no process of this window follows, is watched
   * while the view is visible in a trusted workspace; those no longer shown so are let go.
   */
  private followClusters(nodes: readonly EndpointNode[]): void {
    const wanted = new Map(
      nodes
        .filter(
          (node) =>
            this.visible &&
            vscode.workspace.isTrusted &&
            node.target === "cluster" &&
            node.dir &&
            node.record &&
            !isFinished(node.record.status) &&
            !this.services.activeRuns.find(node.runId),
        )
        .map((node) => [node.dir!, { dir: node.dir!, result: node.record! }]),
    );
    for (const [dir, controller] of this.watching) {
      if (wanted.has(dir)) continue;
      controller.abort();
      this.watching.delete(dir);
    }
    for (const [dir, stored] of wanted) {
      if (!this.watching.has(dir) && (this.retryAt.get(dir) ?? 0) <= Date.now()) this.watchCluster(stored);
    }
  }

  private watchCluster(stored: StoredRun): void {
    const controller = new AbortController();
    this.watching.set(stored.dir, controller);
    const name = stored.result.endpoint?.name ?? stored.result.runId;
    void (async () => {
      try {
        const app = await this.services.app();
        const result = await app.watchClusterEndpoint(
          this.services.workspaceSessionContext(controller.signal),
          stored,
        );
        if (isFinished(result.status))
          this.services.log(
            `Endpoint ${name} (${result.runId}): it ended on the cluster, recorded ${result.status}.`,
          );
      } catch (error) {
        if (controller.signal.aborted) return;
        this.retryAt.set(stored.dir, Date.now() + WATCH_RETRY_MS);
        this.services.log(
          `Endpoints view: the InferenceService of ${name} could not be watched (${error instanceof Error ? error.message : String(error)}); its row shows its record as it is.`,
        );
      } finally {
        if (this.watching.get(stored.dir) === controller) this.watching.delete(stored.dir);
      }
    })();
  }

  /** A serving container died: its record is made true, unless someone else records the end first. */
  private containerDied(runId: string): void {
    const stored = this.unfollowed.get(runId);
    if (!stored || this.settling.has(runId)) return;
    this.settling.add(runId);
    setTimeout(
      () => void this.settle(stored).finally(() => this.settling.delete(runId)),
      SETTLE_AFTER_DIE_MS,
    );
  }

  private async settle(stored: StoredRun): Promise<void> {
    const { runId } = stored.result;
    try {
      // Stopped by Stop, parity endpoints stop or the process that follows it: it recorded the end.
      const current = await readRecord(stored.dir);
      if (isFinished(current.status) || this.services.activeRuns.find(runId)) return;
      const app = await this.services.app();
      const recovery = await app.recoverRun(
        this.services.workspaceSessionContext(AbortSignal.timeout(60_000)),
        { dir: stored.dir, result: current },
      );
      const status = recovery.result?.status ?? current.status;
      if (status !== current.status)
        this.services.log(
          `Endpoint ${current.endpoint?.name ?? runId} (${runId}): its container ended; it is recorded ${status}.`,
        );
    } catch (error) {
      if (error instanceof ParityError && error.code === "RunFollowedElsewhere") return;
      this.services.log(
        `Endpoint ${runId}: its container ended, and its record could not be settled: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  dispose(): void {
    this.setVisible(false);
    this.engine.stop();
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}
