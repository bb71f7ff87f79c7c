import path from "node:path";
import type { RunResult, RunStatus } from "../../core/job/types";
import { clockTime, formatDuration, STATUS_WORDS } from "../../core/presentation/runStatus";
import { localTime } from "../../core/presentation/time";
import { placeSentence, placeWords } from "../../core/presentation/targets";
import {
  shortNumber,
  shownTrials,
  trialCounts,
  trialEnded,
  TRIAL_STATUS_ICONS,
  TRIAL_STATUS_WORDS,
} from "../../core/presentation/trialStatus";
import { describeAssignment } from "../../core/tuning/record";
import type { TrialState, TrialStatus } from "../../core/tuning/types";
import { isFinished } from "../../core/workload/status";
import { runDir, workspaceOfRunDir, type RunRef, type StoredRun } from "../../app/store";
import type { PresentedRow } from "../treeItem";
import { RUN_ICONS, type RunSummary } from "../runs/runPresentation";

/** A notebook with an experiment: a file next to it, or its profile's `tuning:`. */
export interface FoundExperiment {
  notebookFile: string;
  /** The file that holds the experiment (parity.yaml where it is its `tuning:`). */
  experimentFile: string;
}

/** A notebook's row; `notebookFile` is what Tune takes from a row. */
export interface ExperimentNode {
  kind: "experiment";
  notebookFile: string;
  /** Where its experiment is written now; absent when only its records are left. */
  experimentFile?: string;
  /** Its newest experiments, newest first. */
  runs: ExperimentRunNode[];
  /** The notebook's folder, where its name alone does not tell it apart. */
  folder?: string;
}

/** A recorded experiment: its record (kind "experiment"), on whichever target ran it. */
export interface ExperimentRunNode {
  kind: "experimentRun";
  notebookFile: string;
  ref: RunRef;
  dir: string;
  result: RunResult;
  /** Still going, here or in another process (the CLI, another window): Cancel Experiment stops it. */
  cancellable: boolean;
  /**
   * A local experiment cancelled, or lost with its process, and not running here: Resume Experiment
   * goes on with it. One on a cluster is Katib's, which resumes nothing once it is deleted.
   */
  resumable: boolean;
  /** The notebook's newest experiment: shown with its trials open. */
  latest: boolean;
}

/**
 * A trial of an experiment. It carries what a row of the Runs view carries (summary, notebookFile,
 * dir), so Open Logs and Open Diagnosis take it as they take a run's row.
 */
export interface TrialNode {
  kind: "trial";
  /** The experiment it is a trial of. */
  experimentRunId: string;
  state: TrialState;
  /** The experiment's objective metric, for its description. */
  metric: string;
  best: boolean;
  summary: RunSummary;
  notebookFile: string;
  /** The trial's own run's folder; absent before it starts. */
  dir?: string;
}

export type ExperimentsTreeNode = ExperimentNode | ExperimentRunNode | TrialNode;

/** How many experiments each notebook lists: the newest few; older ones stay in the Runs view. */
export const EXPERIMENTS_PER_NOTEBOOK = 5;

/**
 * The view's rows: every notebook found with an experiment, and every notebook whose experiments
 * are recorded (its experiment may be gone since), each with its newest experiments. Sorted by
 * path; a name shared by several notebooks gets its folder. A cluster's experiment is a record like
 * a local one; only resuming is local Docker's alone.
 */
export function experimentNodes(
  found: readonly FoundExperiment[],
  runs: readonly StoredRun[],
  options: {
    isActive(run: StoredRun): boolean;
    /** A folder as the user reads it (relative to the workspace). */
    relativeFolder(file: string): string;
    /** A window of several workspace folders names every notebook's folder. */
    alwaysFolder?: boolean;
  },
): ExperimentNode[] {
  const byFile = new Map<string, ExperimentNode>();
  const add = (file: string): ExperimentNode => {
    let node = byFile.get(file);
    if (!node) byFile.set(file, (node = { kind: "experiment", notebookFile: file, runs: [] }));
    return node;
  };
  for (const each of found) add(each.notebookFile).experimentFile = each.experimentFile;
  const newestFirst = [...runs].sort((a, b) =>
    (b.result.startedAt ?? "").localeCompare(a.result.startedAt ?? ""),
  );
  for (const run of newestFirst) {
    if (run.result.kind !== "experiment" || !run.result.experiment) continue;
    const node = add(run.result.notebook);
    if (node.runs.length >= EXPERIMENTS_PER_NOTEBOOK) continue;
    const active = options.isActive(run);
    const { status } = run.result;
    node.runs.push({
      kind: "experimentRun",
      notebookFile: node.notebookFile,
      ref: { workspaceDir: workspaceOfRunDir(run.dir), runId: path.basename(run.dir) },
      dir: run.dir,
      result: run.result,
      cancellable: !isFinished(status),
      resumable: !active && run.result.target === "local" && (status === "cancelled" || status === "lost"),
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

/** An experiment's trials, in the order they were asked for. */
export function trialNodes(run: ExperimentRunNode): TrialNode[] {
  const experiment = run.result.experiment;
  if (!experiment) return [];
  return shownTrials(experiment.trials, run.result.status).map((state) => ({
    kind: "trial",
    experimentRunId: run.ref.runId,
    state,
    metric: experiment.objective.metric,
    best: experiment.best?.trial === state.name,
    notebookFile: run.notebookFile,
    ...(state.runId ? { dir: runDir({ workspaceDir: run.ref.workspaceDir, runId: state.runId }) } : {}),
    summary: {
      runId: state.runId ?? `${run.ref.runId}/${state.name}`,
      target: run.result.target,
      status: RUN_STATUS_OF_TRIAL[state.status],
      notebook: run.notebookFile,
      exitCode: null,
      oomKilled: false,
      trial: state.name,
      ...(state.startedAt ? { startedAt: state.startedAt } : {}),
    },
  }));
}

/** The run status a trial's state reads as, for the commands that take a run's row. */
const RUN_STATUS_OF_TRIAL: Record<TrialStatus, RunStatus> = {
  pending: "pending",
  running: "running",
  succeeded: "succeeded",
  "metrics-unavailable": "succeeded",
  "early-stopped": "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  lost: "lost",
};

export function presentExperiment(node: ExperimentNode): PresentedRow {
  const name = path.basename(node.notebookFile);
  const latest = node.runs[0]?.result;
  const where = node.experimentFile ? path.basename(node.experimentFile) : undefined;
  const parts = [
    ...(node.folder ? [node.folder] : []),
    ...(where ? [where] : ["experiment file gone"]),
    ...(latest ? [`last ${STATUS_WORDS[latest.status].toLowerCase()}`] : ["not tuned yet"]),
  ];
  return {
    label: name,
    description: parts.join(" · "),
    tooltip: [
      node.notebookFile,
      node.experimentFile
        ? `Its experiment: ${node.experimentFile}${/parity\.ya?ml$/i.test(node.experimentFile) ? " (tuning:)" : ""}`
        : "No experiment is found next to it now; its recorded experiments are listed.",
      ...(latest ? [`Last experiment ${latest.runId}`] : []),
    ].join("\n"),
    contextValue: `parity:experiment${node.experimentFile ? "+tunable" : ""}`,
    icon: { id: "beaker" },
  };
}

/** "best accuracy 0.893927" */
function bestWords(result: RunResult): string | undefined {
  const experiment = result.experiment;
  const best = experiment?.best;
  return best && experiment
    ? `best ${experiment.objective.metric} ${shortNumber(best.objective)}`
    : undefined;
}

/**
 * "14:03" (its start, in the user's time zone), then "Succeeded · best accuracy 0.893927 · 6 of 6
 * trials · 6 succeeded" or "Running · best accuracy 0.81 · 2 of 6 trials done".
 */
export function presentExperimentRun(node: ExperimentRunNode): PresentedRow {
  const { result } = node;
  const experiment = result.experiment!;
  const trials = shownTrials(experiment.trials, result.status);
  const done = trials.filter((trial) => trialEnded(trial.status)).length;
  const of = experiment.maxTrialCount !== undefined ? ` of ${experiment.maxTrialCount}` : "";
  const best = bestWords(result);
  const parts = [STATUS_WORDS[result.status], ...(best ? [best] : [])];
  if (isFinished(result.status)) {
    parts.push(`${trials.length} trial${trials.length === 1 ? "" : "s"}`);
    const counts = trialCounts(trials);
    if (counts) parts.push(counts);
  } else {
    parts.push(`${done}${of} trials done`);
  }
  if (result.target !== "local") parts.push(placeWords(result));
  return {
    label: result.startedAt ? clockTime(result.startedAt) : result.runId,
    description: parts.join(" · "),
    tooltip: [
      `Experiment ${experiment.name} (${result.runId}): ${STATUS_WORDS[result.status].toLowerCase()}${experiment.reason ? `, ${experiment.reason}` : ""}`,
      `${experiment.algorithm}, ${experiment.objective.type} ${experiment.objective.metric}${experiment.objective.goal !== undefined ? ` (goal ${experiment.objective.goal})` : ""}`,
      `On ${placeSentence(result)}`,
      ...(result.startedAt ? [`Started ${localTime(result.startedAt)}`] : []),
      ...(result.durationMs !== undefined ? [`Took ${formatDuration(result.durationMs)}`] : []),
      ...(experiment.best
        ? [`Best: ${experiment.best.trial} with ${describeAssignment(experiment.best.parameters)}`]
        : []),
      ...result.diagnosis.slice(0, 3).map((item) => item.message),
      ...(node.resumable ? ["Resume Experiment goes on with the trials that did not end."] : []),
      "Click to open its tuning panel.",
    ].join("\n"),
    contextValue: `parity:experimentRun+${result.status}+${result.target}${node.cancellable ? "+cancellable" : ""}${node.resumable ? "+resumable" : ""}`,
    icon: RUN_ICONS[result.status],
  };
}

/** "Succeeded · best · accuracy 0.893927 · lr=0.0382754, layers=3, optimizer=sgd" */
export function presentTrial(node: TrialNode): PresentedRow {
  const { state } = node;
  const parts = [TRIAL_STATUS_WORDS[state.status], ...(node.best ? ["best"] : [])];
  if (state.objective !== undefined) parts.push(`${node.metric} ${shortNumber(state.objective)}`);
  if (state.reason && state.status !== "succeeded") parts.push(state.reason);
  const values = state.parameters.map(({ name, value }) => {
    const number = Number(value);
    return `${name}=${value.trim() !== "" && Number.isFinite(number) ? shortNumber(number) : value}`;
  });
  parts.push(values.join(", "));
  return {
    label: state.name,
    description: parts.join(" · "),
    tooltip: [
      `Trial ${state.name}: ${TRIAL_STATUS_WORDS[state.status].toLowerCase()}${node.best ? " (the best so far)" : ""}`,
      `Parameters: ${describeAssignment(state.parameters)}`,
      ...(state.objective !== undefined ? [`${node.metric}: ${state.objective}`] : []),
      ...(state.reason ? [state.reason] : []),
      ...(state.runId ? [`Run ${state.runId}`, "Click to open its logs."] : []),
    ].join("\n"),
    contextValue: `parity:trial+${state.status}${node.dir ? "+run" : ""}`,
    icon: TRIAL_STATUS_ICONS[state.status],
  };
}
