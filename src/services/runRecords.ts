import path from "node:path";
import * as vscode from "vscode";
import { listRunsBelow, type StoredRun } from "../targets/store/runStore";

/** <workspace>/.parity/runs/<id> → <workspace>. */
export function workspaceOfRunDir(dir: string): string {
  return path.resolve(dir, "..", "..", "..");
}

/** The runs recorded in the workspace folders and the projects below them, newest first. */
export async function recordedRuns(): Promise<StoredRun[]> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const runs = (await Promise.all(folders.map((folder) => listRunsBelow(folder.uri.fsPath)))).flat();
  const unique = new Map(runs.map((run) => [run.dir, run]));
  return [...unique.values()].sort((a, b) =>
    (b.result.startedAt ?? "").localeCompare(a.result.startedAt ?? ""),
  );
}
