import path from "node:path";
import * as vscode from "vscode";
import { resolveParityEdit, type ParityEdit } from "../core/parity";
import { PROFILE_FILE_NAMES } from "../core/profile/fileNames";
import { applyProfileChanges, type ProfileChange } from "../core/profile/edit";
import { editRefusal } from "../services/editScope";

/**
 * The file a report names: absolute as it is, else the first of `baseDirs` where it exists
 * (reports name files relative to where they were computed), else under the first.
 */
export async function resolveReportFile(file: string, baseDirs: string[]): Promise<vscode.Uri> {
  if (path.isAbsolute(file) || baseDirs.length === 0) return vscode.Uri.file(path.resolve(file));
  for (const dir of baseDirs) {
    const uri = vscode.Uri.file(path.resolve(dir, file));
    try {
      await vscode.workspace.fs.stat(uri);
      return uri;
    } catch {
      // Not here; try the next folder.
    }
  }
  return vscode.Uri.file(path.resolve(baseDirs[0]!, file));
}

/** The folders a report's relative paths may start from: the profile's, the workspace folders, the notebook's. */
export function reportBaseDirs(notebookFile: string, profileFile?: string): string[] {
  const dirs = [
    ...(profileFile ? [path.dirname(profileFile)] : []),
    ...workspaceFolders(),
    path.dirname(notebookFile),
  ];
  return [...new Set(dirs)];
}

/** The workspace folders of this window, as paths. */
export function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
}

/** The files a report was made from: its relative paths and what a fix may change follow from them. */
export interface ReportFiles {
  notebookFile: string;
  profileFile?: string;
}

/**
 * Makes a parity item's fix as one undoable workspace edit and saves the file. Returns why it
 * could not, as a sentence, or undefined when done. Refuses files outside the workspace folders
 * and the profile's folder.
 */
export async function applyParityEdit(edit: ParityEdit, report: ReportFiles): Promise<string | undefined> {
  const uri = await resolveReportFile(edit.file, reportBaseDirs(report.notebookFile, report.profileFile));
  const profileDirs = report.profileFile ? [path.dirname(report.profileFile)] : [];
  const refusal = await editRefusal(uri.fsPath, [...workspaceFolders(), ...profileDirs]);
  if (refusal) return refusal;
  let current: string | undefined;
  try {
    // The open document, with its unsaved changes, when there is one.
    current = (await vscode.workspace.openTextDocument(uri)).getText();
  } catch {
    current = undefined;
  }
  const resolved = resolveParityEdit(edit, current);
  if (!resolved.ok) return resolved.reason;
  const { change } = resolved;
  const workspaceEdit = new vscode.WorkspaceEdit();
  const range = new vscode.Range(
    change.range.start.line,
    change.range.start.character,
    change.range.end.line,
    change.range.end.character,
  );
  if (change.createFile) {
    workspaceEdit.createFile(uri, { ignoreIfExists: true });
    workspaceEdit.insert(uri, range.start, change.text);
  } else {
    workspaceEdit.replace(uri, range, change.text);
  }
  if (!(await vscode.workspace.applyEdit(workspaceEdit))) {
    return `The editor refused the change to ${edit.file}. Open the file, make sure it is writable, and try again.`;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (!(await document.save())) {
    return `${edit.file} was changed but could not be saved. Save it yourself, then check parity again.`;
  }
  return undefined;
}

/**
 * A diagnosis's change to the profile of the run's project (`profileDir`, where its parity.yaml is),
 * as one undoable edit, saved. Returns why it could not, as a sentence, or undefined when done.
 */
export async function applyProfileSnippet(
  profileDir: string,
  changes: readonly ProfileChange[],
): Promise<string | undefined> {
  let document: vscode.TextDocument | undefined;
  for (const name of PROFILE_FILE_NAMES) {
    document = await Promise.resolve(
      vscode.workspace.openTextDocument(vscode.Uri.file(path.join(profileDir, name))),
    ).catch(() => undefined);
    if (document) break;
  }
  if (!document)
    return `This run used Parity's default profile, so there is no parity.yaml in ${profileDir} to change. Create one (Parity: Create Profile), then apply the fix again.`;
  const refusal = await editRefusal(document.uri.fsPath, [...workspaceFolders(), profileDir]);
  if (refusal) return refusal;
  const result = applyProfileChanges(document.getText(), changes);
  if (!result.ok) return result.reason;
  if (result.text === document.getText()) return undefined;
  const edit = new vscode.WorkspaceEdit();
  const end = document.lineAt(document.lineCount - 1).range.end;
  edit.replace(document.uri, new vscode.Range(0, 0, end.line, end.character), result.text);
  if (!(await vscode.workspace.applyEdit(edit)))
    return `The editor refused the change to ${document.uri.fsPath}. Open the file, make sure it is writable, and try again.`;
  await document.save();
  return undefined;
}
