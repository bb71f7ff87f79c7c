import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { runRefOfDir, type RunRef, type StoredRun } from "../../app/store";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import { isRunNode } from "../../views/runs/runNode";

export interface RecordedRun {
  ref: RunRef;
  result: RunResult;
  dir: string;
}

/** The clicked run, else the newest run of the active notebook, else the newest run at all. */
export async function runFor(services: Services, arg: unknown, action: string): Promise<RecordedRun> {
  if (isRunNode(arg) && arg.dir) {
    // Only a run this workspace records: the row's own summary could say anything.
    const stored = (await recordedRuns()).find((run) => run.dir === arg.dir);
    if (!stored) {
      throw new ParityError("RunNotFound", `Parity has no record of this run in the workspace folders.`, {
        fix: "Refresh the Runs view and pick the run there.",
      });
    }
    return recorded(stored);
  }
  if (isRunNode(arg)) {
    throw new ParityError(
      "RunNotStarted",
      `The run of ${path.basename(arg.notebookFile)} has not started yet, so there is nothing to ${action}.`,
      {
        fix: "Wait until its image is built and the run appears as Running.",
      },
    );
  }
  const runs = await recordedRuns();
  const active = services.activeNotebook.file;
  const run = runs.find((candidate) => candidate.result.notebook === active) ?? runs[0];
  if (!run) {
    throw new ParityError("NoRuns", `There is no run to ${action} in this workspace yet.`, {
      fix: "Run a notebook first: Parity: Run Locally with Production Limits.",
    });
  }
  return recorded(run);
}

/** The run id and workspace come from the record's folder, never from what run.json says. */
function recorded(run: StoredRun): RecordedRun {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const ref = runRefOfDir(run.dir, folders);
  if (!ref) {
    throw new ParityError(
      "RunFolderUnexpected",
      `The record in ${run.dir} is not a run folder of this workspace (<folder>/.parity/runs/<run id>).`,
      { fix: "Open the folder that holds the run as a workspace folder, or use parity logs in a terminal." },
    );
  }
  return { ref, result: run.result, dir: run.dir };
}
