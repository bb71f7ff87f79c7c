import path from "node:path";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { isExperimentRunNode } from "./showExperiment";

/**
 * Parity: Cancel Experiment on a running experiment of the Experiments view — stops an experiment
 * this window started: its running trials' containers are stopped and the record says cancelled,
 * ready to resume. One another process runs is stopped there (Ctrl-C for the CLI).
 */
export function cancelExperiment(services: Services, arg?: unknown): void {
  if (!isExperimentRunNode(arg)) {
    throw new ParityError("NoExperiment", "There is no experiment to cancel.", {
      fix: "Use Cancel Experiment on a running experiment's row in the Experiments view.",
    });
  }
  const active = services.activeRuns.find(arg.result.runId);
  if (!active) {
    throw new ParityError(
      "ExperimentNotHere",
      `The experiment ${arg.result.runId} of ${path.basename(arg.notebookFile)} was not started in this window, so it cannot be cancelled here.`,
      {
        fix: "Stop it where it was started: Ctrl-C in the terminal of parity tune, or Cancel in the other window.",
      },
    );
  }
  active.cancel();
  services.log(`${arg.result.runId}: cancel requested; its running trials are being stopped.`);
}
