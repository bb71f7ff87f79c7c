import { servesUnfollowed } from "../../core/workload/status";
import path from "node:path";
import * as vscode from "vscode";
import {
  abandonedRuns,
  followerGone,
  RECORD_PATTERNS,
  workspaceOfRunDir,
  type StoredRun,
} from "../../app/store";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import { Debouncer, StreamFollower } from "../../services/refresh";
import type { RunNode } from "./runNode";
import { presentedTreeItem } from "../treeItem";
import { presentRun, showsElapsed } from "./runPresentation";
import { RowClock } from "./rowClock";

const ticks = (node: RunNode) => showsElapsed(node.summary, node.orphaned);

/**
 * The Runs view: recorded runs of the workspace (CLI runs included) and runs still building in this
 * window. While visible it follows Docker's events for Parity's containers and the run records on
 * disk, debounced, and redraws the rows of running runs every second (their duration); hidden, it
 * follows nothing. While it ticks it also looks for the followers of those runs every few seconds: a
 * CLI killed leaves its record unchanged, so no watcher fires. A record left "running" by a process that went away is made true (RunRecovery)
 * in a trusted workspace, and marked as such until it is.
 */
export class RunsView implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunNode[] | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debouncer = new Debouncer(() => this.refresh(), 500);
  private readonly follower: StreamFollower;
  private watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];
  private visible = false;
  /** The rows shown: the running ones among them are redrawn as their duration grows. */
  private shown: RunNode[] = [];
  private readonly clock = new RowClock<RunNode>({
    rows: () => this.shown,
    ticks,
    // A run followed in this window has a live follower; an endpoint left serving has none by design.
    followedFrom: (node) => (node.activeKey || servesUnfollowed(node.summary) ? undefined : node.dir),
    redraw: (nodes) => this.changed.fire(nodes),
    refresh: () => this.refresh(),
    followerGone,
  });

  constructor(private readonly services: Services) {
    this.follower = new StreamFollower({
      follow: async (signal, onEvent) => {
        const app = await services.app();
        await app.followRunEvents(services.workspaceSessionContext(signal), onEvent);
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
      for (const pattern of RECORD_PATTERNS) {
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
    this.clock.update(visible);
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
    const abandoned = new Set((await this.abandoned(runs)).map((run) => run.dir));
    const recorded: RunNode[] = runs.map((run) => ({
      notebookFile: run.result.notebook,
      workspaceDir: workspaceOfRunDir(run.dir),
      dir: run.dir,
      activeKey: this.services.activeRuns.find(run.result.runId)?.key,
      // An endpoint left serving on purpose has no follower by design: it is not orphaned.
      orphaned:
        abandoned.has(run.dir) &&
        !this.services.activeRuns.find(run.result.runId) &&
        !servesUnfollowed(run.result),
      summary: run.result,
    }));
    this.shown = withFolders([...building, ...recorded]);
    this.clock.update(this.visible);
    return this.shown;
  }

  /**
   * Records left "running" by a process that went away. In a trusted workspace they are made true
   * (settling stops a container; following a cluster run may run kubeconfig plugins); in
   * Restricted Mode they are only marked.
   */
  private abandoned(runs: StoredRun[]): Promise<StoredRun[]> {
    if (vscode.workspace.isTrusted) return this.services.runRecovery.consider(runs);
    return abandonedRuns(runs.filter((run) => !this.services.activeRuns.find(run.result.runId)));
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    const view = presentRun(node.summary, node.orphaned, node.folder, Date.now(), timePlace());
    const item = presentedTreeItem(view, vscode.TreeItemCollapsibleState.None);
    item.id = node.dir ?? node.summary.runId;
    if (node.dir) item.command = { command: "parity.openLogs", title: "Open Logs", arguments: [node] };
    item.accessibilityInformation = { label: `${view.label}, ${view.description}` };
    // Written when hovered (resolveTreeItem), so that its ages ("2 min ago") are those of then;
    // every row is redrawn each minute while visible, so a tooltip hovered again is written again.
    item.tooltip = undefined;
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, node: RunNode): vscode.TreeItem {
    item.tooltip = presentRun(node.summary, node.orphaned, node.folder, Date.now(), timePlace()).tooltip;
    return item;
  }

  dispose(): void {
    this.setVisible(false);
    this.clock.dispose();
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}

/** Times in VS Code's display language; the zone is the machine's (named in the text). */
const timePlace = () => ({ locale: vscode.env.language });

/**
 * Names the notebook's folder on rows whose notebook name alone is ambiguous: the same name in
 * several folders, or a window with several workspace folders.
 */
function withFolders(nodes: RunNode[]): RunNode[] {
  const folders = new Map<string, Set<string>>();
  for (const node of nodes) {
    const name = path.basename(node.notebookFile);
    folders.set(name, (folders.get(name) ?? new Set()).add(path.dirname(node.notebookFile)));
  }
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  return nodes.map((node) =>
    multiRoot || (folders.get(path.basename(node.notebookFile))?.size ?? 0) > 1
      ? { ...node, folder: vscode.workspace.asRelativePath(path.dirname(node.notebookFile), multiRoot) }
      : node,
  );
}
