import * as vscode from "vscode";
import { listRunsBelow, newestRuns, type StoredRun } from "../app/store";
import type { Services } from "./container";

/** The most runs the extension lists: the Runs view stays short and each refresh's work per row bounded. */
const MAX_LISTED_RUNS = 200;

/** The newest runs recorded in the workspace folders and the projects below them, newest first. */
export async function recordedRuns(): Promise<StoredRun[]> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const runs = (await Promise.all(folders.map((folder) => listRunsBelow(folder.uri.fsPath)))).flat();
  return newestRuns(runs, MAX_LISTED_RUNS);
}

/**
 * In a trusted workspace, every recorded run whose follower went away is made true (RunRecovery);
 * in Restricted Mode the Runs view only marks them.
 */
export async function recoverAbandonedRuns(services: Services): Promise<void> {
  if (!vscode.workspace.isTrusted) return;
  try {
    await services.runRecovery.consider(await recordedRuns());
  } catch (error) {
    services.log(
      `Checking the run records at start-up: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
