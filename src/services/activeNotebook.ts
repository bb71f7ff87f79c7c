import * as vscode from "vscode";

/** Notebooks and Python scripts are what Parity runs. */
export function isRunnableFile(uri: vscode.Uri): boolean {
  return uri.scheme === "file" && /\.(ipynb|py)$/i.test(uri.fsPath);
}

/**
 * The notebook or script the user last worked on. It stays when the focus moves to a panel, the
 * sidebar or the output, so "the active notebook" still means something there.
 */
export class ActiveNotebook implements vscode.Disposable {
  private current?: string;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscriptions = [
      vscode.window.onDidChangeActiveNotebookEditor(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidCloseNotebookDocument((document) => this.forget(document.uri)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
    ];
    this.update();
  }

  get file(): string | undefined {
    return this.current;
  }

  private update(): void {
    const uri =
      vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri || !isRunnableFile(uri) || uri.fsPath === this.current) return;
    this.current = uri.fsPath;
    this.changed.fire(this.current);
  }

  private forget(uri: vscode.Uri): void {
    if (uri.fsPath !== this.current) return;
    const stillOpen =
      vscode.workspace.notebookDocuments.some((document) => document.uri.fsPath === this.current) ||
      vscode.window.visibleTextEditors.some((editor) => editor.document.uri.fsPath === this.current);
    if (stillOpen) return;
    this.current = undefined;
    this.update();
    if (this.current === undefined) this.changed.fire(undefined);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}
