import path from "node:path";
import * as vscode from "vscode";
import type { Services } from "../../services/container";
import { presentedTreeItem } from "../treeItem";
import { issueNode, notebookNode, profileNode, type EnvironmentNode } from "./environmentModel";
import type { ProfilePresence } from "./profilePresence";

/**
 * The Environment view: the profile in use, the active notebook's parity and one row per mismatch.
 * Empty (so the welcome with Create Profile shows) while the workspace has no parity.yaml.
 */
export class EnvironmentView implements vscode.TreeDataProvider<EnvironmentNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly services: Services,
    private readonly profiles: ProfilePresence,
  ) {
    const refresh = (): void => this.changed.fire();
    this.subscriptions = [
      services.activeNotebook.onDidChange(refresh),
      services.reports.onDidChange(refresh),
      profiles.onDidChange(refresh),
    ];
  }

  async getChildren(element?: EnvironmentNode): Promise<EnvironmentNode[]> {
    if (element) {
      const state = element.notebookFile ? this.services.reports.get(element.notebookFile) : undefined;
      if (element.kind !== "notebook" || state?.kind !== "checked") return [];
      return state.report.items.map((item, index) => issueNode(element.notebookFile!, item, index));
    }
    const firstProfile = await this.profiles.first();
    if (!firstProfile) return [];
    const notebookFile = this.services.activeNotebook.file;
    if (!notebookFile) return [profileNode(firstProfile.fsPath, workspaceDirOf(firstProfile.fsPath))];
    const workspaceDir = workspaceDirOf(notebookFile);
    const state = this.services.reports.get(notebookFile);
    const profile = state.data
      ? state.data.profileFile
      : await this.nearestProfile(notebookFile, workspaceDir);
    return [profileNode(profile, workspaceDir), notebookNode(notebookFile, state)];
  }

  getTreeItem(node: EnvironmentNode): vscode.TreeItem {
    const hasChildren =
      node.kind === "notebook" && node.notebookFile !== undefined && this.issueCount(node.notebookFile) > 0;
    const item = presentedTreeItem(
      node,
      hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    // A new id when a report arrives, so the row opens on its mismatches instead of keeping its old state.
    if (node.kind === "notebook")
      item.id = `${node.contextValue}\u0000${node.notebookFile}\u0000${node.description}`;
    if (node.profileFile) {
      const uri = vscode.Uri.file(node.profileFile);
      item.command = { command: "vscode.open", title: "Open Profile", arguments: [uri] };
    } else if (node.notebookFile) {
      item.command = { command: "parity.openReport", title: "Open Parity Report", arguments: [node] };
    }
    return item;
  }

  private issueCount(notebookFile: string): number {
    const state = this.services.reports.get(notebookFile);
    return state.kind === "checked" ? state.report.items.length : 0;
  }

  private async nearestProfile(
    notebookFile: string,
    workspaceDir: string | undefined,
  ): Promise<string | undefined> {
    try {
      const app = await this.services.app();
      return await app.findProfileFile(
        path.dirname(notebookFile),
        workspaceDir ?? path.dirname(notebookFile),
      );
    } catch {
      return undefined; // Two profiles side by side: Check Parity explains it.
    }
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}

function workspaceDirOf(file: string): string | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
}
