import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import { isFinished } from "../../core/workload/status";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import { CANCEL_EXPERIMENT_WORDS, cancelRunConfirmed } from "../support/stopRun";
import { isExperimentRunNode } from "./showExperiment";

/**
 * Parity: Cancel Experiment on a running experiment of the Experiments view — stops an experiment
 * this window follows, as Cancel Run stops a run: a local one's running trials' containers are
 * stopped and the record says cancelled, ready to resume; a cluster's Katib Experiment is deleted
 * once the user confirms (its name typed in a protected namespace), and Katib deletes its trials.
 * One another process follows is stopped there (Ctrl-C for the CLI).
 */
export async function cancelExperiment(services: Services, arg?: unknown): Promise<void> {
  const experiment = isExperimentRunNode(arg)
    ? { runId: arg.result.runId, notebook: arg.notebookFile }
    : await pickFollowedExperiment(services);
  if (!experiment) return;
  const active = services.activeRuns.find(experiment.runId);
  if (!active) {
    throw new ParityError(
      "ExperimentNotHere",
      `The experiment ${experiment.runId} of ${path.basename(experiment.notebook)} is not followed in this window, so it cannot be cancelled here.`,
      {
        fix: "Stop it where it was started: Ctrl-C in the terminal of parity tune, or Cancel in the other window.",
      },
    );
  }
  if (await cancelRunConfirmed(services, { active }, CANCEL_EXPERIMENT_WORDS)) {
    services.log(`${experiment.runId}: cancel requested; its running trials are being stopped.`);
  }
}

/**
 * Without its row (the view was refreshing as it was clicked, which VS Code passes on as no row):
 * the experiment this window follows, or the one picked where it follows several.
 */
async function pickFollowedExperiment(
  services: Services,
): Promise<{ runId: string; notebook: string } | undefined> {
  const followed = (await recordedRuns())
    .map((run) => run.result)
    .filter(
      (result) =>
        result.kind === "experiment" &&
        !isFinished(result.status) &&
        services.activeRuns.find(result.runId) !== undefined,
    );
  if (followed.length === 0) {
    throw new ParityError("NoExperiment", "There is no experiment running in this window to cancel.", {
      fix: "Use Cancel Experiment on a running experiment's row in the Experiments view.",
    });
  }
  if (followed.length === 1) return followed[0];
  const picked = await vscode.window.showQuickPick(
    followed.map((result) => ({
      label: path.basename(result.notebook),
      description: result.runId,
      result,
    })),
    { title: "Cancel which experiment?" },
  );
  return picked?.result;
}
