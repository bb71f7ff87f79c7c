import path from "node:path";
import type { RunResult, RunStatus } from "../../core/job/types";
import type { PipelineFormat, PipelineStepState, StepStatus } from "../../core/pipeline/types";
import { clockTime, formatDuration, STATUS_WORDS } from "../../core/presentation/runStatus";
import { localTime } from "../../core/presentation/time";
import { STEP_STATUS_ICONS, STEP_STATUS_WORDS } from "../../core/presentation/stepStatus";
import { isFinished } from "../../core/workload/status";
import { runDir, workspaceOfRunDir, type RunRef, type StoredRun } from "../../app/store";
import type { PresentedRow } from "../treeItem";
import { RUN_ICONS, type RunSummary } from "../runs/runPresentation";

/** A pipeline found in the workspace: a notebook tagged as Kale tags it, or a pipeline.yaml. */
export interface FoundPipeline {
  file: string;
  format: PipelineFormat;
}

/** A pipeline's row; `notebookFile` is what Run Pipeline Locally takes from a row. */
export interface PipelineNode {
  kind: "pipeline";
  notebookFile: string;
  format: FoundPipeline["format"];
  /** Its newest runs, newest first. */
  runs: PipelineRunNode[];
  /** The pipeline's folder, where its name alone does not tell it apart. */
  folder?: string;
}

/** A run of a pipeline: its record (kind "pipeline"). */
export interface PipelineRunNode {
  kind: "pipelineRun";
  notebookFile: string;
  ref: RunRef;
  dir: string;
  result: RunResult;
  /** Still going, here or in another process (the CLI, another window): Cancel Run stops it. */
  cancellable: boolean;
  /** The pipeline's newest run: shown with its steps open. */
  latest: boolean;
}

/**
 * A step of a pipeline run. It carries what a row of the Runs view carries (summary, notebookFile,
 * dir), so Open Logs and Open Diagnosis take it as they take a run's row.
 */
export interface PipelineStepNode {
  kind: "pipelineStep";
  /** The pipeline run it is a step of. */
  pipelineRunId: string;
  state: PipelineStepState;
  summary: RunSummary;
  notebookFile: string;
  /** The step's own run's folder (for a cached step, the run it reused); absent before it runs. */
  dir?: string;
}

export type PipelinesTreeNode = PipelineNode | PipelineRunNode | PipelineStepNode;

/** How many runs each pipeline lists: the newest few; older ones stay in the Runs view. */
export const RUNS_PER_PIPELINE = 5;

/**
 * The view's rows: every pipeline found, and every pipeline whose runs are recorded (its file may
 * be gone or no longer tagged), each with its newest runs. Sorted by path; a name shared by
 * several pipelines gets its folder.
 */
export function pipelineNodes(
  found: readonly FoundPipeline[],
  runs: readonly StoredRun[],
  options: {
    /** A folder as the user reads it (relative to the workspace). */
    relativeFolder(file: string): string;
    /** A window of several workspace folders names every pipeline's folder. */
    alwaysFolder?: boolean;
  },
): PipelineNode[] {
  const byFile = new Map<string, PipelineNode>();
  const add = (file: string, format: FoundPipeline["format"]): PipelineNode => {
    let node = byFile.get(file);
    if (!node) byFile.set(file, (node = { kind: "pipeline", notebookFile: file, format, runs: [] }));
    return node;
  };
  for (const pipeline of found) add(pipeline.file, pipeline.format);
  const newestFirst = [...runs].sort((a, b) =>
    (b.result.startedAt ?? "").localeCompare(a.result.startedAt ?? ""),
  );
  for (const run of newestFirst) {
    if (run.result.kind !== "pipeline") continue;
    const node = add(run.result.notebook, formatOf(run.result.notebook));
    if (node.runs.length >= RUNS_PER_PIPELINE) continue;
    node.runs.push({
      kind: "pipelineRun",
      notebookFile: node.notebookFile,
      ref: { workspaceDir: workspaceOfRunDir(run.dir), runId: path.basename(run.dir) },
      dir: run.dir,
      result: run.result,
      cancellable: !isFinished(run.result.status),
      latest: node.runs.length === 0,
    });
  }
  const nodes = [...byFile.values()].sort((a, b) => a.notebookFile.localeCompare(b.notebookFile));
  const names = new Map<string, number>();
  for (const node of nodes) {
    const name = path.basename(node.notebookFile);
    names.set(name, (names.get(name) ?? 0) + 1);
  }
  return nodes.map((node) =>
    options.alwaysFolder || (names.get(path.basename(node.notebookFile)) ?? 0) > 1
      ? { ...node, folder: options.relativeFolder(path.dirname(node.notebookFile)) }
      : node,
  );
}

/** A run's pipeline not found in the workspace (moved, or outside it): its format by its file's name. */
function formatOf(file: string): FoundPipeline["format"] {
  if (!/\.ya?ml$/i.test(file)) return "kale";
  return /^pipeline\.ya?ml$/i.test(path.basename(file)) ? "pipeline-yaml" : "kfp";
}

const FORMAT_WORDS: Record<PipelineFormat, string> = {
  kale: "notebook tagged for Kale",
  "pipeline-yaml": "pipeline.yaml",
  kfp: "pipeline compiled by kfp",
};

/** A run's steps, in the order the pipeline writes them. */
export function stepNodes(run: PipelineRunNode): PipelineStepNode[] {
  return (run.result.steps ?? []).map((state) => ({
    kind: "pipelineStep",
    pipelineRunId: run.ref.runId,
    state,
    notebookFile: run.notebookFile,
    ...(state.runId ? { dir: runDir({ workspaceDir: run.ref.workspaceDir, runId: state.runId }) } : {}),
    summary: {
      runId: state.runId ?? `${run.ref.runId}/${state.name}`,
      target: run.result.target,
      status: RUN_STATUS_OF_STEP[state.status],
      notebook: run.notebookFile,
      exitCode: state.exitCode ?? null,
      oomKilled: state.oomKilled ?? false,
      step: state.name,
      ...(state.startedAt ? { startedAt: state.startedAt } : {}),
    },
  }));
}

/** The run status a step's state reads as, for the commands that take a run's row. */
const RUN_STATUS_OF_STEP: Record<StepStatus, RunStatus> = {
  pending: "pending",
  running: "running",
  succeeded: "succeeded",
  cached: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  "not-run": "cancelled",
};

export function presentPipeline(node: PipelineNode): PresentedRow {
  const name = path.basename(node.notebookFile);
  const latest = node.runs[0]?.result;
  const what = FORMAT_WORDS[node.format];
  const parts = [
    ...(node.folder ? [node.folder] : []),
    ...(latest ? [`last run ${STATUS_WORDS[latest.status].toLowerCase()}`] : ["no runs yet"]),
  ];
  return {
    label: name,
    description: parts.join(" · "),
    tooltip: [
      `${node.notebookFile}`,
      `A pipeline: ${what}.`,
      ...(latest ? [`Last run ${latest.runId}`] : []),
    ].join("\n"),
    contextValue: `parity:pipeline+${node.format}`,
    icon: { id: "type-hierarchy" },
  };
}

/**
 * "14:03" (its start, in the user's time zone), then "Succeeded · 12.3 s · 4 succeeded" or
 * "Running · 2 of 4 steps done".
 */
export function presentPipelineRun(node: PipelineRunNode): PresentedRow {
  const { result } = node;
  const steps = result.steps ?? [];
  const parts = [STATUS_WORDS[result.status]];
  if (isFinished(result.status)) {
    if (result.durationMs !== undefined) parts.push(formatDuration(result.durationMs));
    const counts = stepCounts(steps);
    if (counts) parts.push(counts);
  } else {
    const done = steps.filter((state) => state.status !== "pending" && state.status !== "running").length;
    parts.push(`${done} of ${steps.length} steps done`);
  }
  return {
    label: result.startedAt ? clockTime(result.startedAt) : result.runId,
    description: parts.join(" · "),
    tooltip: [
      `Pipeline run ${result.runId}: ${STATUS_WORDS[result.status].toLowerCase()}`,
      ...(result.startedAt ? [`Started ${localTime(result.startedAt)}`] : []),
      ...result.diagnosis.slice(0, 3).map((item) => item.message),
      "Click to open its run graph.",
    ].join("\n"),
    contextValue: `parity:pipelineRun+${result.status}${node.cancellable ? "+cancellable" : ""}`,
    icon: RUN_ICONS[result.status],
  };
}

export function presentPipelineStep(node: PipelineStepNode): PresentedRow {
  const { state } = node;
  const parts = [STEP_STATUS_WORDS[state.status]];
  if (state.status === "succeeded" && state.startedAt && state.finishedAt)
    parts.push(formatDuration(Date.parse(state.finishedAt) - Date.parse(state.startedAt)));
  if (state.reason && state.status !== "cached") parts.push(state.reason);
  return {
    label: state.name,
    description: parts.join(" · "),
    tooltip: [
      `Step ${state.name}: ${STEP_STATUS_WORDS[state.status].toLowerCase()}`,
      ...(state.reason ? [state.reason] : []),
      ...(state.runId ? [`Run ${state.runId}`] : []),
    ].join("\n"),
    contextValue: `parity:pipelineStep+${state.status}${node.dir ? "+run" : ""}`,
    icon: STEP_STATUS_ICONS[state.status],
  };
}

/** "3 succeeded, 1 cached" */
function stepCounts(steps: readonly PipelineStepState[]): string {
  const order: StepStatus[] = ["succeeded", "cached", "failed", "cancelled", "not-run", "pending", "running"];
  return order
    .map((status) => [status, steps.filter((state) => state.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${STEP_STATUS_WORDS[status].toLowerCase()}`)
    .join(", ");
}
