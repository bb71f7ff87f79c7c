import path from "node:path";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
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
  if (!isExperimentRunNode(arg)) {
    throw new ParityError("NoExperiment", "There is no experiment to cancel.", {
      fix: "Use Cancel Experiment on a running experiment's row in the Experiments view.",
    });
  }
  const active = services.activeRuns.find(arg.result.runId);
  if (!active) {
    throw new ParityError(
      "ExperimentNotHere",
      `The experiment ${arg.result.runId} of ${path.basename(arg.notebookFile)} is not followed in this window, so it cannot be cancelled here.`,
      {
        fix: "Stop it where it was started: Ctrl-C in the terminal of parity tune, or Cancel in the other window.",
      },
    );
  }
  if (await cancelRunConfirmed(services, { active }, CANCEL_EXPERIMENT_WORDS)) {
    services.log(`${arg.result.runId}: cancel requested; its running trials are being stopped.`);
  }
}
