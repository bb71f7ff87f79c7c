import path from "node:path";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { isExperimentRunNode, recordedExperiment } from "./showExperiment";
import { LOCAL_TUNING, runTuning } from "./tuning";

/**
 * Parity: Resume Experiment on a cancelled or lost experiment of the Experiments view — goes on
 * with it: the trials that ended keep their results, those that did not run again with the same
 * parameters, and the search asks for the rest (`parity tune --resume <id>`).
 */
export async function resumeExperiment(services: Services, arg?: unknown): Promise<void> {
  if (!isExperimentRunNode(arg)) {
    throw new ParityError("NoExperiment", "There is no experiment to resume.", {
      fix: "Use Resume Experiment on a cancelled experiment's row in the Experiments view.",
    });
  }
  const stored = await recordedExperiment(arg);
  if (stored.result.target !== "local") {
    throw new ParityError(
      "ExperimentNotResumable",
      `The experiment ${stored.result.runId} ran on the cluster as a Katib Experiment, which cannot be taken up again once it is deleted.`,
      { fix: "Start a new experiment with Tune on Cluster." },
    );
  }
  await runTuning(services, path.resolve(stored.result.notebook), LOCAL_TUNING, path.basename(stored.dir));
}
