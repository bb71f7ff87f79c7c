import path from "node:path";
import type { RunResult } from "../../core/job/types";
import type { Pipeline, PipelineStepState, StepStatus } from "../../core/pipeline/types";
import { formatDuration, STATUS_WORDS } from "../../core/presentation/runStatus";
import { STEP_STATUS_WORDS } from "../../core/presentation/stepStatus";
import { isFinished } from "../../core/workload/status";
import type { RunGraphEdgeView, RunGraphNodeView, RunGraphViewState } from "../../protocol/pipeline";

export interface RunGraphInput {
  runId: string;
  /** The pipeline's record; undefined until it is written. */
  record?: RunResult;
  /** The pipeline as its file says it now: the edges of a record that does not carry them. */
  definition?: Pick<Pipeline, "steps">;
  /** Why the pipeline's file could not be read, when it was needed and could not be. */
  definitionProblem?: string;
}

/** The order a run's summary counts its steps in. */
const SUMMARY_ORDER: StepStatus[] = [
  "running",
  "succeeded",
  "cached",
  "failed",
  "cancelled",
  "not-run",
  "pending",
];

/**
 * What the run graph shows of a pipeline run: a node per step with its state and what a click
 * opens, the edges (from the record where it carries them, else from the pipeline's file), and a
 * one-line summary. vscode-free, so it is tested on its own.
 */
export function runGraphViewState(input: RunGraphInput): RunGraphViewState {
  const { record, definition } = input;
  const states: PipelineStepState[] =
    record?.steps ?? definition?.steps.map((step) => ({ name: step.name, status: "pending" })) ?? [];
  const afterOf = (state: PipelineStepState): string[] =>
    state.after ?? definition?.steps.find((step) => step.name === state.name)?.after ?? [];
  const names = new Set(states.map((state) => state.name));
  const edges: RunGraphEdgeView[] = states.flatMap((state) =>
    afterOf(state)
      .filter((from) => names.has(from))
      .map((from) => ({ from, to: state.name })),
  );
  const status = record?.status ?? "pending";
  const edgesUnknown = states.length > 1 && !definition && states.some((state) => state.after === undefined);
  const note = !record
    ? "Waiting for the run's record..."
    : edgesUnknown && input.definitionProblem
      ? `The steps are shown without their edges: ${input.definitionProblem}`
      : undefined;
  return {
    pipelineName: record ? path.basename(record.notebook) : input.runId,
    runId: input.runId,
    status,
    statusLabel: STATUS_WORDS[status],
    summary: summaryOf(states, record),
    nodes: states.map((state) => nodeOf(state, afterOf(state))),
    edges,
    live: !isFinished(status),
    ...(note ? { note } : {}),
  };
}

function nodeOf(state: PipelineStepState, after: string[]): RunGraphNodeView {
  const detail = detailOf(state, after);
  return {
    name: state.name,
    status: state.status,
    statusLabel: STEP_STATUS_WORDS[state.status],
    ...(detail ? { detail } : {}),
    ...(state.status === "running" && state.startedAt ? { startedAt: state.startedAt } : {}),
    ...(state.runId ? { opens: state.status === "failed" ? "diagnosis" : "logs" } : {}),
  };
}

/** The line under a node's status: how long it took, why it failed or did not run, what it reused. */
function detailOf(state: PipelineStepState, after: string[]): string | undefined {
  switch (state.status) {
    case "pending":
      return after.length > 0 ? `after ${after.join(", ")}` : undefined;
    case "running":
      return state.attempts && state.attempts > 1 ? `try ${state.attempts}` : undefined;
    case "succeeded": {
      const took =
        state.startedAt && state.finishedAt
          ? formatDuration(Date.parse(state.finishedAt) - Date.parse(state.startedAt))
          : undefined;
      return took && state.attempts && state.attempts > 1 ? `${took}, try ${state.attempts}` : took;
    }
    case "cached":
      return state.reason ?? "reused an earlier run";
    case "failed":
      return state.reason ?? (state.oomKilled ? "out of memory" : "failed");
    case "cancelled":
    case "not-run":
      return state.reason;
  }
}

/** "Succeeded in 12.3 s: 2 succeeded, 2 cached" or "1 running, 1 succeeded, 2 pending". */
function summaryOf(states: PipelineStepState[], record: RunResult | undefined): string {
  const counts = SUMMARY_ORDER.map(
    (status) => [status, states.filter((s) => s.status === status).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${STEP_STATUS_WORDS[status].toLowerCase()}`)
    .join(", ");
  if (!record || !isFinished(record.status)) return counts || "No steps yet";
  const took = record.durationMs !== undefined ? ` in ${formatDuration(record.durationMs)}` : "";
  return `${STATUS_WORDS[record.status]}${took}${counts ? `: ${counts}` : ""}`;
}
