import path from "node:path";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { isPipelineRunNode } from "./showPipelineRun";

/**
 * Parity: Cancel Run on a pipeline run of the Pipelines view — stops a pipeline run this window
 * started: every running step's container is stopped, the steps not started are not run, and the
 * record says cancelled. A run another process follows is stopped there (Ctrl-C for the CLI).
 */
export function cancelPipelineRun(services: Services, arg?: unknown): void {
  if (!isPipelineRunNode(arg)) {
    throw new ParityError("NoPipelineRun", "There is no pipeline run to cancel.", {
      fix: "Use Cancel Run on a running pipeline's row in the Pipelines view.",
    });
  }
  const active = services.activeRuns.find(arg.result.runId);
  if (!active) {
    throw new ParityError(
      "PipelineRunNotHere",
      `The pipeline run ${arg.result.runId} of ${path.basename(arg.notebookFile)} was not started in this window, so it cannot be cancelled here.`,
      {
        fix: "Stop it where it was started: Ctrl-C in the terminal of parity pipeline run, or Cancel in the other window.",
      },
    );
  }
  active.cancel();
  services.log(`${arg.result.runId}: cancel requested; its running steps are being stopped.`);
}
