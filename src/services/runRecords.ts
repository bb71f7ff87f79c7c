import path from "node:path";
import * as vscode from "vscode";
import { listRunsBelow, type StoredRun } from "../targets/store/runStore";

/** The most runs the extension lists: the Runs view stays short and each refresh's work per row bounded. */
const MAX_LISTED_RUNS = 200;

/** <workspace>/.parity/runs/<id> → <workspace>. */
export function workspaceOfRunDir(dir: string): string {
  return path.resolve(dir, "..", "..", "..");
}

/** The newest runs recorded in the workspace folders and the projects below them, newest first. */
export async function recordedRuns(): Promise<StoredRun[]> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const runs = (await Promise.all(folders.map((folder) => listRunsBelow(folder.uri.fsPath)))).flat();
  return newestRuns(runs, MAX_LISTED_RUNS);
}

/** One entry per folder, newest first, at most `limit`. */
export function newestRuns(runs: StoredRun[], limit: number): StoredRun[] {
  const unique = new Map(runs.map((run) => [run.dir, run]));
  return [...unique.values()]
    .sort((a, b) => (b.result.startedAt ?? "").localeCompare(a.result.startedAt ?? ""))
    .slice(0, limit);
}
