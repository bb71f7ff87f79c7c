import path from "node:path";
import * as vscode from "vscode";
import type { Services } from "../../services/container";
import { presentedTreeItem } from "../treeItem";
import {
  issueNode,
  missingProfileNode,
  notebookNode,
  profileNode,
  rowClick,
  type EnvironmentNode,
} from "./environmentModel";
import { governingProfile, rootOf, type FolderRoot, type GovernedFolder } from "./profileFolders";
import type { ProfilePresence } from "./profilePresence";

/**
 * The Environment view: every profile of the workspace with the folder it governs (the active
 * notebook's marked in use, or a row saying it has none), the active notebook's parity and one row
 * per mismatch. Empty (so the welcome with Create Profile shows) while the workspace has no parity.yaml.
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
    const governed = await this.profiles.governed();
    // None at all: the view's welcome says so and offers Create Profile.
    if (governed.length === 0) return [];
    const roots = workspaceRoots();
    const notebookFile = this.services.activeNotebook.file;
    const inUse = notebookFile ? this.profileOf(notebookFile, governed, roots) : undefined;
    const rows = governed.map((folder) =>
      profileNode(folder, roots, folder.profileFile === inUse?.profileFile ? notebookFile : undefined),
    );
    if (!notebookFile) return rows;
    if (!inUse) rows.push(missingProfileNode(notebookFile, roots));
    else if (!governed.includes(inUse)) rows.push(profileNode(inUse, roots, notebookFile));
    rows.push(notebookNode(notebookFile, this.services.reports.get(notebookFile)));
    return rows;
  }

  /**
   * The profile a notebook runs with: the nearest above it in the workspace; for a notebook outside
   * the workspace folders, the one its last check used.
   */
  private profileOf(
    notebookFile: string,
    governed: GovernedFolder[],
    roots: FolderRoot[],
  ): GovernedFolder | undefined {
    if (rootOf(notebookFile, roots)) return governingProfile(notebookFile, governed, roots);
    const checked = this.services.reports.get(notebookFile).data?.profileFile;
    return checked ? { profileFile: checked, dir: path.dirname(checked), except: [] } : undefined;
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
    const click = rowClick(node);
    if (click?.command === "vscode.open") {
      const uri = vscode.Uri.file(click.file);
      item.command = { command: "vscode.open", title: "Open Profile", arguments: [uri] };
    } else if (click) {
      item.command = { command: "parity.openReport", title: "Open Parity Report", arguments: [node] };
    }
    return item;
  }

  private issueCount(notebookFile: string): number {
    const state = this.services.reports.get(notebookFile);
    return state.kind === "checked" ? state.report.items.length : 0;
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}

function workspaceRoots(): FolderRoot[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => ({
    name: folder.name,
    path: folder.uri.fsPath,
  }));
}
