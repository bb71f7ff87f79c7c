import path from "node:path";
import type { Services } from "../../services/container";
import { notebookFor } from "../support/targets";
import { LOCAL_TUNING, runTuning } from "./tuning";

/**
 * Parity: Tune — the notebook's experiment (its profile's `tuning:`, else <notebook>.experiment.yaml
 * or experiment.yaml next to it) as local trials on Docker, each a run of the notebook under the
 * profile's limits. The tuning panel opens when the experiment starts; Cancel stops the trials.
 */
export async function tune(services: Services, arg?: unknown): Promise<void> {
  await runTuning(services, path.resolve(notebookFor(services, arg, "tune")), LOCAL_TUNING);
}
