import type { Services } from "../../services/container";
import { cancelFollowed } from "../support/cancelFollowed";
import { CANCEL_PIPELINE_WORDS } from "../support/stopRun";
import { isPipelineRunNode } from "./showPipelineRun";

/**
 * Parity: Cancel Run on a pipeline run of the Pipelines view — stops it as Cancel Run stops a run: a local one's running steps' containers are stopped, the steps
 * not started are not run, and the record says cancelled; a cluster's Argo Workflow is deleted once
 * the user confirms (its name typed in a protected namespace), and its steps' pods with it. One
 * another process runs (parity pipeline run, another window) is asked through its record, as
 * parity delete asks, and stopped there.
 */
export async function cancelPipelineRun(services: Services, arg?: unknown): Promise<void> {
  const row = isPipelineRunNode(arg) ? { runId: arg.result.runId, notebook: arg.notebookFile } : undefined;
  await cancelFollowed(services, row, {
    kind: "pipeline",
    noun: "pipeline run",
    command: "Cancel Run",
    view: "Pipelines",
    stopping: "its running steps are being stopped",
    codes: { none: "NoPipelineRun", notFound: "PipelineRunNotFound" },
    stop: CANCEL_PIPELINE_WORDS,
  });
}
