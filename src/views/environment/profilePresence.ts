import * as vscode from "vscode";

const PROFILE_GLOB = "**/parity.{yaml,yml}";

/**
 * Whether the workspace has a parity.yaml, as the context key parity.hasProfile (the Environment
 * view's welcome and the Create Profile button depend on it), kept current by a file watcher.
 */
export class ProfilePresence implements vscode.Disposable {
  private found?: vscode.Uri;
  private known = false;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher(PROFILE_GLOB, false, true, false);
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscriptions = [
      this.watcher.onDidCreate(() => void this.update()),
      this.watcher.onDidDelete(() => void this.update()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.update()),
    ];
  }

  /** The first parity.yaml found, or undefined when there is none; searched on first use. */
  async first(): Promise<vscode.Uri | undefined> {
    if (!this.known) await this.update();
    return this.found;
  }

  private async update(): Promise<void> {
    const [found] = await vscode.workspace.findFiles(PROFILE_GLOB, "**/{node_modules,.git,.venv}/**", 1);
    const changed = !this.known || found?.fsPath !== this.found?.fsPath;
    this.found = found;
    this.known = true;
    await vscode.commands.executeCommand("setContext", "parity.hasProfile", Boolean(found));
    if (changed) this.changed.fire();
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.watcher.dispose();
    this.changed.dispose();
  }
}
