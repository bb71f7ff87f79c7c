import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import { isRunnableFile } from "../../services/activeNotebook";
import type { Services } from "../../services/container";
import { trustRefusal, type GuardedAction } from "../../services/trust";

/** What a tree row hands to a command. */
interface NotebookCarrier {
  notebookFile?: unknown;
}

/**
 * The notebook a command is about: the clicked resource (editor title, explorer), the notebook
 * whose toolbar was used, a tree row's notebook, else the active notebook or script.
 */
export function notebookFor(services: Services, arg: unknown, action: string): string {
  const uri = uriOf(arg);
  if (uri) {
    if (!isRunnableFile(uri)) {
      throw new ParityError(
        "NotRunnable",
        `Parity can only ${action} saved .ipynb notebooks and .py scripts.`,
        {
          fix: "Save the notebook to a file in the workspace, then try again.",
        },
      );
    }
    return uri.fsPath;
  }
  const carried = (arg as NotebookCarrier | undefined)?.notebookFile;
  if (typeof carried === "string") return carried;
  const active = services.activeNotebook.file;
  if (active) return active;
  throw new ParityError("NoNotebook", `There is no notebook to ${action}.`, {
    fix: "Open a .ipynb notebook or a .py script, then try again.",
  });
}

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg !== "object" || arg === null) return undefined;
  // The notebook toolbar passes { notebookEditor: { notebookUri } }.
  const candidate =
    (arg as { notebookEditor?: { notebookUri?: unknown } }).notebookEditor?.notebookUri ??
    (arg as { notebookUri?: unknown }).notebookUri ??
    (arg as { uri?: unknown }).uri;
  return candidate instanceof vscode.Uri ? candidate : undefined;
}

/** Runs and builds read the file on disk: save what the user sees first. */
export async function saveIfDirty(file: string): Promise<void> {
  const notebook = vscode.workspace.notebookDocuments.find((document) => document.uri.fsPath === file);
  if (notebook?.isDirty) await notebook.save();
  const text = vscode.workspace.textDocuments.find((document) => document.uri.fsPath === file);
  if (text?.isDirty) await text.save();
}

/** Refuses in Restricted Mode with the reason; the views and palette may still offer the command. */
export function requireTrust(action: GuardedAction): void {
  const refusal = trustRefusal(action, vscode.workspace.isTrusted);
  if (refusal) throw new ParityError("WorkspaceNotTrusted", refusal);
}

export function fileName(file: string): string {
  return path.basename(file);
}
