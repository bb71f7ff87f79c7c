import * as vscode from "vscode";
import { RECORD_PATTERNS } from "../../app/store";
import type { Services } from "../../services/container";
import { Debouncer } from "../../services/refresh";
import { recordedRuns } from "../../services/runRecords";
import { presentedTreeItem } from "../treeItem";
import { NOTEBOOK_GLOB, PipelineFiles, YAML_GLOB } from "./pipelineFiles";
import {
  pipelineNodes,
  presentPipeline,
  presentPipelineRun,
  presentPipelineStep,
  stepNodes,
  type PipelinesTreeNode,
} from "./pipelinesModel";

/**
 * The Pipelines view: the workspace's pipelines (notebooks tagged for Kale, pipeline.yaml files),
 * each with its newest runs and each run with its steps. While visible it follows the notebooks,
 * the pipeline files and the run records through file watchers, debounced, and the runs of this
 * window; hidden, it follows nothing. It only reads files, so Restricted Mode shows it too.
 */
export class PipelinesView implements vscode.TreeDataProvider<PipelinesTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debouncer = new Debouncer(() => this.changed.fire(), 500);
  private readonly files = new PipelineFiles();
  private watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];
  private visible = false;

  constructor(private readonly services: Services) {
    this.subscriptions = [services.activeRuns.onDidChange(() => this.changed.fire())];
  }

  attach(view: vscode.TreeView<PipelinesTreeNode>): void {
    this.subscriptions.push(view.onDidChangeVisibility((event) => this.setVisible(event.visible)));
    this.setVisible(view.visible);
  }

  private setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) {
      const onChange = (): void => this.debouncer.trigger();
      for (const pattern of [...RECORD_PATTERNS, NOTEBOOK_GLOB, YAML_GLOB]) {
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

  async getChildren(element?: PipelinesTreeNode): Promise<PipelinesTreeNode[]> {
    if (element?.kind === "pipeline") return element.runs;
    if (element?.kind === "pipelineRun") return stepNodes(element);
    if (element) return [];
    const [found, runs] = await Promise.all([this.files.find(), recordedRuns()]);
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    return pipelineNodes(found, runs, {
      relativeFolder: (folder) => vscode.workspace.asRelativePath(folder, multiRoot),
      alwaysFolder: multiRoot,
    });
  }

  getTreeItem(node: PipelinesTreeNode): vscode.TreeItem {
    const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case "pipeline": {
        const item = presentedTreeItem(presentPipeline(node), node.runs.length > 0 ? Expanded : None);
        // VS Code keeps a row's collapsible state by its id: a pipeline's first run makes it a new
        // row, shown open, rather than the row without children it was.
        item.id = `pipeline:${node.runs.length > 0 ? "runs" : "none"}:${node.notebookFile}`;
        item.command = {
          command: "vscode.open",
          title: "Open",
          arguments: [vscode.Uri.file(node.notebookFile)],
        };
        return item;
      }
      case "pipelineRun": {
        const row = presentPipelineRun(node);
        const item = presentedTreeItem(row, node.latest ? Expanded : Collapsed);
        item.id = `run:${node.dir}`;
        item.command = { command: "parity.showPipelineRun", title: "Open Run Graph", arguments: [node] };
        item.accessibilityInformation = { label: `Pipeline run ${row.label}, ${row.description ?? ""}` };
        return item;
      }
      case "pipelineStep": {
        const row = presentPipelineStep(node);
        const item = presentedTreeItem(row, None);
        item.id = `step:${node.pipelineRunId}:${node.state.name}`;
        if (node.dir) {
          const failed = node.state.status === "failed";
          item.command = failed
            ? { command: "parity.openDiagnosis", title: "Open Diagnosis", arguments: [node] }
            : { command: "parity.openLogs", title: "Open Logs", arguments: [node] };
        }
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
