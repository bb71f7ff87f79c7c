import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { WorkloadKind } from "../../core/workload/kind";
import { isFinished } from "../../core/workload/status";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import { workspaceOfRunDir } from "../../app/store";
import { cancelRunConfirmed, type StopWords } from "./stopRun";
import { requireTrust } from "./targets";

/** How a row's Cancel names its kind of workload, and what it says. */
export interface CancelWords {
  kind: WorkloadKind;
  /** "experiment", "pipeline run" */
  noun: string;
  /** The row's command and its view: "Cancel Experiment on … in the Experiments view". */
  command: string;
  view: string;
  /** Said in the output once it is stopped: "its running trials are being stopped". */
  stopping: string;
  /** The errors' codes: none running, no record of it. */
  codes: { none: string; notFound: string };
  /** The question and the progress while its workload is deleted. */
  stop: StopWords;
}

/**
 * A row's Cancel (Cancel Experiment, Cancel Run on a pipeline run) — stops a workload this window
 * follows as Cancel Run stops a run: a local one's containers at once; a cluster's workload deleted
 * once the user confirms (its name typed in a protected namespace). One another process runs (the
 * CLI, another window) is asked to stop through its record, and that process records the end.
 * Without its row (the view was refreshing as it was clicked, which VS Code passes on as no row):
 * the one running, or the one picked where several are.
 */
export async function cancelFollowed(
  services: Services,
  row: RowRun | undefined,
  words: CancelWords,
): Promise<void> {
  const run = row ?? (await pickFollowed(services, words));
  if (!run) return;
  const active = services.activeRuns.find(run.runId);
  if (!active) requireTrust("cancel");
  const stored = active ? undefined : (await recordedRuns()).find((each) => each.result.runId === run.runId);
  if (!active && !stored) {
    throw new ParityError(
      words.codes.notFound,
      `Parity has no record of the ${words.noun} ${run.runId} of ${path.basename(run.notebook)} in the workspace folders.`,
      { fix: `Refresh the ${words.view} view and pick the ${words.noun} there.` },
    );
  }
  // One another process runs (the CLI, another window) is asked through its record, as parity
  // delete asks: that process stops it and records the end.
  const recorded = stored && { workspaceDir: workspaceOfRunDir(stored.dir), runId: stored.result.runId };
  if (await cancelRunConfirmed(services, { active, recorded }, words.stop)) {
    services.log(`${run.runId}: cancel requested; ${words.stopping}.`);
  }
}

/** The run a row names: its id and its notebook or pipeline file. */
export interface RowRun {
  runId: string;
  notebook: string;
}

async function pickFollowed(services: Services, words: CancelWords): Promise<RowRun | undefined> {
  const followed = (await recordedRuns())
    .map((run) => run.result)
    .filter((result) => result.kind === words.kind && !isFinished(result.status));
  if (followed.length === 0) {
    throw new ParityError(words.codes.none, `There is no ${words.noun} running to cancel.`, {
      fix: `Use ${words.command} on a running ${words.noun}'s row in the ${words.view} view.`,
    });
  }
  if (followed.length === 1) return followed[0];
  const picked = await vscode.window.showQuickPick(
    followed.map((result) => ({
      label: path.basename(result.notebook),
      description: result.runId,
      result,
    })),
    { title: `Cancel which ${words.noun}?` },
  );
  return picked?.result;
}
