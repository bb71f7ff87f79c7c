import { wentAwayBeforeTheEnd, type GoneFollower } from "../diagnosis/followerGone";
import type { Diagnosis } from "../diagnosis/types";
import type { RunResult } from "../job/types";
import type { PipelineStepState, StepStatus } from "./types";

/**
 * A local pipeline run's record once the process that ran it went away, from the records its
 * running steps' job runs got when they were settled (`parts`, by run id: ended by themselves, or
 * stopped). A running step without a record of its run never started; the steps not started are
 * not run. The pipeline run is `lost` (it did not end), with what happened and the command that
 * runs it again.
 */
export function settledPipeline(
  record: RunResult,
  parts: ReadonlyMap<string, RunResult>,
  follower: GoneFollower,
  rerunCommand: string,
): RunResult {
  const running = (record.steps ?? []).filter((step) => step.status === "running");
  const partOf = (step: PipelineStepState) => (step.runId ? parts.get(step.runId) : undefined);
  const steps = (record.steps ?? []).map((state): PipelineStepState => {
    if (state.status === "pending")
      return { ...state, status: "not-run", reason: "the pipeline's process went away" };
    if (state.status !== "running") return state;
    const part = partOf(state);
    if (!part) {
      return {
        ...state,
        status: "not-run",
        reason: "the pipeline's process went away before the step's run started",
      };
    }
    return {
      ...state,
      status: stepStatusOf(part),
      reason:
        part.status === "cancelled" ? "stopped: the pipeline's process had gone away" : stepReason(part),
      exitCode: part.exitCode,
      oomKilled: part.oomKilled,
      ...(part.finishedAt && { finishedAt: part.finishedAt }),
    };
  });
  const diagnosis: Diagnosis = {
    code: "PipelineInterrupted",
    severity: "warning",
    message: `${wentAwayBeforeTheEnd(follower, "pipeline run")}. ${stepsThen(running.map((step) => ({ name: step.name, run: partOf(step) })))}`,
    fix: `Run it again: ${rerunCommand} (in VS Code: Run Pipeline Locally).`,
  };
  return {
    ...record,
    status: "lost",
    exitCode: null,
    steps,
    diagnosis: [diagnosis, ...record.diagnosis],
  };
}

/** A step's status from its job run's end: a run nothing says the end of (lost) did not succeed. */
function stepStatusOf(part: RunResult): StepStatus {
  if (part.status === "succeeded" || part.status === "cancelled") return part.status;
  return "failed";
}

/** How a step's run ended, in a few words: its first error's message, or its exit code. */
export function stepReason(result: RunResult): string | undefined {
  if (result.status === "succeeded") return undefined;
  const error = result.diagnosis.find((item) => item.severity === "error");
  if (error) return error.message.replace(/\.$/, "");
  return result.exitCode !== null ? `exit ${result.exitCode}` : undefined;
}

/** "Of the 2 steps running then, squares succeeded by itself and total was stopped; the steps not started were not run." */
function stepsThen(running: { name: string; run?: RunResult }[]): string {
  if (running.length === 0) return "No step was running then; the steps not started were not run.";
  const listed = running.map(({ name, run }) => {
    if (!run) return `${name} never started`;
    if (run.status === "cancelled") return `${name} was stopped`;
    if (run.status === "lost") return `${name} left nothing to say how it ended`;
    return `${name} ${run.status} by itself`;
  });
  const text = listed.length > 1 ? `${listed.slice(0, -1).join(", ")} and ${listed.at(-1)}` : listed[0];
  return `Of the ${running.length} ${running.length === 1 ? "step" : "steps"} running then, ${text}; the steps not started were not run.`;
}
