import * as vscode from "vscode";
import { Debouncer } from "../../services/refresh";
import { EXPERIMENT_GLOBS, experimentFileOf, ProfileLookup } from "./experimentFiles";

/** The context key the notebook toolbar's Tune depends on: the open notebooks with an experiment. */
export const EXPERIMENT_NOTEBOOKS_KEY = "parity.experimentNotebooks";

/**
 * Which open notebooks have an experiment, as the context key parity.experimentNotebooks (their
 * paths, matched by `resourcePath in parity.experimentNotebooks`). Only open notebooks are looked
 * at, again when one opens or closes and when an experiment file or a profile is created, changed
 * or deleted (file watchers, debounced).
 */
export class ExperimentNotebooks implements vscode.Disposable {
  private readonly debouncer = new Debouncer(() => void this.update(), 300);
  private readonly subscriptions: vscode.Disposable[] = [];
  private shown = "";
  private generation = 0;

  constructor() {
    const trigger = (): void => this.debouncer.trigger();
    for (const pattern of EXPERIMENT_GLOBS) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.subscriptions.push(
        watcher,
        watcher.onDidCreate(trigger),
        watcher.onDidChange(trigger),
        watcher.onDidDelete(trigger),
      );
    }
    this.subscriptions.push(
      vscode.workspace.onDidOpenNotebookDocument(trigger),
      vscode.workspace.onDidCloseNotebookDocument(trigger),
      vscode.workspace.onDidChangeWorkspaceFolders(trigger),
    );
    trigger();
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const open = [
      ...new Set(
        vscode.workspace.notebookDocuments
          .filter((document) => document.uri.scheme === "file")
          .map((document) => document.uri.fsPath),
      ),
    ];
    const profiles = new ProfileLookup();
    const found = await Promise.all(open.map((file) => experimentFileOf(file, profiles)));
    // A later update started meanwhile: it says what is true now.
    if (generation !== this.generation) return;
    const files = open.filter((_, index) => found[index] !== undefined).sort();
    const key = JSON.stringify(files);
    if (key === this.shown) return;
    this.shown = key;
    await vscode.commands.executeCommand("setContext", EXPERIMENT_NOTEBOOKS_KEY, files);
  }

  dispose(): void {
    this.debouncer.dispose();
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
