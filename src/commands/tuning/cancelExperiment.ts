import type { Services } from "../../services/container";
import { cancelFollowed } from "../support/cancelFollowed";
import { CANCEL_EXPERIMENT_WORDS } from "../support/stopRun";
import { isExperimentRunNode } from "./showExperiment";

/**
 * Parity: Cancel Experiment on a running experiment of the Experiments view — stops it as Cancel
 * Run stops a run: a local one's running trials' containers are
 * stopped and the record says cancelled, ready to resume; a cluster's Katib Experiment is deleted
 * once the user confirms (its name typed in a protected namespace), and Katib deletes its trials.
 * One another process runs (parity tune, another window) is asked through its record, as parity
 * delete asks, and stopped there.
 */
export async function cancelExperiment(services: Services, arg?: unknown): Promise<void> {
  const row = isExperimentRunNode(arg) ? { runId: arg.result.runId, notebook: arg.notebookFile } : undefined;
  await cancelFollowed(services, row, {
    kind: "experiment",
    noun: "experiment",
    command: "Cancel Experiment",
    view: "Experiments",
    stopping: "its running trials are being stopped",
    codes: { none: "NoExperiment", notFound: "ExperimentNotFound" },
    stop: CANCEL_EXPERIMENT_WORDS,
  });
}
