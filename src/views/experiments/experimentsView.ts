import * as vscode from "vscode";
import { RECORD_PATTERNS } from "../../app/store";
import type { Services } from "../../services/container";
import { Debouncer } from "../../services/refresh";
import { recordedRuns } from "../../services/runRecords";
import { presentedTreeItem } from "../treeItem";
import { EXPERIMENT_GLOBS, findExperiments, NOTEBOOK_GLOB } from "./experimentFiles";
import {
  experimentNodes,
  presentExperiment,
  presentExperimentRun,
  presentTrial,
  trialNodes,
  type ExperimentsTreeNode,
} from "./experimentsModel";

/**
 * The Experiments view: the notebooks of the workspace with an experiment (a file next to them, or
 * their profile's `tuning:`), each with its newest experiments and each experiment with its trials.
 * While visible it follows the run records, the notebooks and the experiment files through file
 * watchers, debounced, and the runs of this window; hidden, it follows nothing. It only reads
 * files, so Restricted Mode shows it too.
 */
export class ExperimentsView implements vscode.TreeDataProvider<ExperimentsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debouncer = new Debouncer(() => this.changed.fire(), 500);
  private watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];
  private visible = false;

  constructor(private readonly services: Services) {
    this.subscriptions = [services.activeRuns.onDidChange(() => this.changed.fire())];
  }

  attach(view: vscode.TreeView<ExperimentsTreeNode>): void {
    this.subscriptions.push(view.onDidChangeVisibility((event) => this.setVisible(event.visible)));
    this.setVisible(view.visible);
  }

  private setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) {
      const onChange = (): void => this.debouncer.trigger();
      for (const pattern of [...RECORD_PATTERNS, NOTEBOOK_GLOB, ...EXPERIMENT_GLOBS]) {
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        this.watchers.push(
          watcher,
          watcher.onDidCreate(onChange),
          watcher.onDidChange(onChange),
          watcher.onDidDelete(onChange),
        );
      }
      this.changed.fire();
    } else {
      this.watchers.splice(0).forEach((watcher) => watcher.dispose());
      this.debouncer.dispose();
    }
  }

  async getChildren(element?: ExperimentsTreeNode): Promise<ExperimentsTreeNode[]> {
    if (element?.kind === "experiment") return element.runs;
    if (element?.kind === "experimentRun") return trialNodes(element);
    if (element) return [];
    const [found, runs] = await Promise.all([findExperiments(), recordedRuns()]);
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    return experimentNodes(found, runs, {
      isActive: (run) => this.services.activeRuns.find(run.result.runId) !== undefined,
      relativeFolder: (folder) => vscode.workspace.asRelativePath(folder, multiRoot),
      alwaysFolder: multiRoot,
    });
  }

  getTreeItem(node: ExperimentsTreeNode): vscode.TreeItem {
    const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case "experiment": {
        const item = presentedTreeItem(presentExperiment(node), node.runs.length > 0 ? Expanded : None);
        // VS Code keeps a row's collapsible state by its id: a notebook's first experiment makes
        // it a new row, shown open, rather than the row without children it was.
        item.id = `experiment:${node.runs.length > 0 ? "runs" : "none"}:${node.notebookFile}`;
        item.command = {
          command: "vscode.open",
          title: "Open",
          arguments: [vscode.Uri.file(node.notebookFile)],
        };
        return item;
      }
      case "experimentRun": {
        const row = presentExperimentRun(node);
        const item = presentedTreeItem(row, node.latest ? Expanded : Collapsed);
        item.id = `run:${node.dir}`;
        item.command = { command: "parity.showExperiment", title: "Open Tuning Panel", arguments: [node] };
        item.accessibilityInformation = { label: `Experiment ${row.label}, ${row.description ?? ""}` };
        return item;
      }
      case "trial": {
        const row = presentTrial(node);
        const item = presentedTreeItem(row, None);
        item.id = `trial:${node.experimentRunId}:${node.state.name}`;
        if (node.dir) item.command = { command: "parity.openLogs", title: "Open Logs", arguments: [node] };
        item.accessibilityInformation = { label: `${row.label}, ${row.description ?? ""}` };
        return item;
      }
    }
  }

  dispose(): void {
    this.setVisible(false);
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}
