import * as vscode from "vscode";
import type { RunResult } from "../../core/job/types";
import type { Services } from "../../services/container";
import { recordedRuns, workspaceOfRunDir } from "../../services/runRecords";
import { Debouncer, StreamFollower } from "../refresh";
import type { RunNode } from "./runNode";
import { isFinished } from "../../core/presentation/runStatus";
import { presentedTreeItem } from "../treeItem";
import { presentRun } from "./runPresentation";

/**
 * The Runs view: recorded runs of the workspace (CLI runs included) and runs still building in this
 * window. While visible it follows Docker's events for Parity's containers and the run records on
 * disk, debounced; hidden, it follows nothing.
 */
export class RunsView implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debouncer = new Debouncer(() => this.refresh(), 500);
  private readonly follower: StreamFollower;
  private watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];
  private visible = false;

  constructor(private readonly services: Services) {
    this.follower = new StreamFollower({
      follow: async (signal, onEvent) => {
        const heavy = await services.heavy();
        const connection = await heavy.connect(services.workspaceSessionContext(signal), () => undefined);
        await heavy.followRunEvents(connection, signal, onEvent);
      },
      onEvent: () => this.debouncer.trigger(),
      onGiveUp: (error) =>
        services.log(
          `Runs view: Docker's event stream stopped (${error instanceof Error ? error.message : String(error)}); the view follows the run records only. Refresh it to try Docker again.`,
        ),
    });
    this.subscriptions = [services.activeRuns.onDidChange(() => this.changed.fire())];
  }

  attach(view: vscode.TreeView<RunNode>): void {
    this.subscriptions.push(view.onDidChangeVisibility((event) => this.setVisible(event.visible)));
    this.setVisible(view.visible);
  }

  refresh(): void {
    if (this.visible && !this.follower.running) this.follower.start();
    this.changed.fire();
  }

  private setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) {
      const onRecord = (): void => this.debouncer.trigger();
      for (const pattern of ["**/.parity/runs/*/run.json", "**/.parity/runs/*"]) {
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        this.watchers.push(
          watcher,
          watcher.onDidCreate(onRecord),
          watcher.onDidChange(onRecord),
          watcher.onDidDelete(onRecord),
        );
      }
      this.follower.start();
      this.changed.fire();
    } else {
      this.watchers.splice(0).forEach((watcher) => watcher.dispose());
      this.follower.stop();
      this.debouncer.dispose();
    }
  }

  async getChildren(element?: RunNode): Promise<RunNode[]> {
    if (element) return [];
    const building: RunNode[] = this.services.activeRuns.building().map((run) => ({
      notebookFile: run.notebookFile,
      activeKey: run.key,
      summary: {
        runId: run.key,
        target: run.target,
        status: "building",
        notebook: run.notebookFile,
        exitCode: null,
        oomKilled: false,
      },
    }));
    const runs = await recordedRuns();
    // A cluster run still "running" on disk that nobody here follows: its follower went away.
    if (vscode.workspace.isTrusted) this.services.clusterReattach.consider(runs);
    const live = await this.liveRunIds(runs.filter((run) => this.mayBeOrphaned(run.result)).length);
    const recorded: RunNode[] = runs.map((run) => ({
      notebookFile: run.result.notebook,
      workspaceDir: workspaceOfRunDir(run.dir),
      dir: run.dir,
      activeKey: this.services.activeRuns.find(run.result.runId)?.key,
      orphaned: live !== undefined && this.mayBeOrphaned(run.result) && !live.has(run.result.runId),
      summary: run.result,
    }));
    return [...building, ...recorded];
  }

  /**
   * A record that says it is live, of a run no window here owns, older than the moment between a
   * run's first record and its container's creation. Cluster runs have no local container to miss.
   */
  private mayBeOrphaned(result: RunResult): boolean {
    const age = Date.now() - Date.parse(result.startedAt ?? "");
    return (
      result.target !== "cluster" &&
      !isFinished(result.status) &&
      !this.services.activeRuns.find(result.runId) &&
      age > 30_000
    );
  }

  /** The runs with a running container; undefined when Docker cannot say (then nothing is marked). */
  private async liveRunIds(candidates: number): Promise<Set<string> | undefined> {
    if (candidates === 0) return undefined;
    try {
      const heavy = await this.services.heavy();
      const context = this.services.workspaceSessionContext(AbortSignal.timeout(5000));
      return await heavy.liveRunIds(await heavy.connect(context, () => undefined));
    } catch {
      return undefined;
    }
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    const view = presentRun(node.summary, node.orphaned);
    const item = presentedTreeItem(view, vscode.TreeItemCollapsibleState.None);
    item.id = node.dir ?? node.summary.runId;
    if (node.dir) item.command = { command: "parity.openLogs", title: "Open Logs", arguments: [node] };
    item.accessibilityInformation = { label: `${view.label}, ${view.description}` };
    return item;
  }

  dispose(): void {
    this.setVisible(false);
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}
