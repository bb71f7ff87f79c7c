import path from "node:path";
import type { RunResult } from "../../core/job/types";
import { formatDuration, STATUS_WORDS } from "../../core/presentation/runStatus";
import { placeSentence } from "../../core/presentation/targets";
import {
  shownTrials,
  trialCounts,
  trialEnded,
  TRIAL_STATUS_WORDS,
} from "../../core/presentation/trialStatus";
import type { ExperimentRecord } from "../../core/tuning/record";
import type { ObjectiveType, TrialState } from "../../core/tuning/types";
import { isFinished } from "../../core/workload/status";
import type { ParameterAxisView, TrialRowView, TuningViewState } from "../../protocol/tuning";

export interface TuningInput {
  runId: string;
  /** The experiment's record; undefined until it is written. */
  record?: RunResult;
}

/**
 * What the tuning panel shows of an experiment: its header, a row per trial, the parameters' axes
 * and the objective per trial with the best so far. vscode-free, so it is tested on its own.
 */
export function tuningViewState(input: TuningInput): TuningViewState {
  const { record } = input;
  const experiment = record?.experiment;
  const status = record?.status ?? "pending";
  if (!record || !experiment) {
    return {
      runId: input.runId,
      experimentName: input.runId,
      notebookName: record ? path.basename(record.notebook) : "",
      algorithm: "",
      objective: { type: "maximize", metric: "" },
      limits: "",
      status,
      statusLabel: STATUS_WORDS[status],
      summary: "No trials yet",
      notes: [],
      problems: [],
      parameters: [],
      metrics: [],
      trials: [],
      chart: { x: [], objective: [], bestSoFar: [] },
      live: !isFinished(status),
      note: record ? "This record is not an experiment's." : "Waiting for the experiment's record...",
    };
  }
  const { objective } = experiment;
  const trials = shownTrials(experiment.trials, status);
  const rows = trials.map((trial, index) => trialRow(trial, index + 1, experiment.best?.trial));
  return {
    runId: input.runId,
    experimentName: experiment.name,
    notebookName: path.basename(record.notebook),
    source: `${path.basename(experiment.file)}${experiment.field ? ` › ${experiment.field}` : ""}`,
    where: whereOf(record),
    algorithm: experiment.algorithm,
    objective,
    limits: limitsOf(experiment),
    status,
    statusLabel: STATUS_WORDS[status],
    ...(experiment.reason ? { reason: experiment.reason } : {}),
    summary: summaryOf(record, experiment, trials),
    notes: experiment.notes ?? [],
    problems: record.diagnosis.map(({ message, fix }) => ({ message, fix })),
    parameters: axesOf(trials),
    metrics: metricsOf(trials, objective.metric),
    trials: rows,
    ...(experiment.best ? { best: experiment.best } : {}),
    chart: chartOf(trials, objective.type),
    live: !isFinished(status),
  };
}

/** Where the trials run, and on a cluster the Katib Experiment that runs them. */
function whereOf(record: RunResult): string {
  const { cluster } = record;
  return `${placeSentence(record)}${cluster ? ` as ${cluster.kind} ${cluster.name}` : ""}`;
}

function trialRow(trial: TrialState, number: number, best: string | undefined): TrialRowView {
  const ended = trialEnded(trial.status);
  const durationMs =
    trial.startedAt && trial.finishedAt
      ? Date.parse(trial.finishedAt) - Date.parse(trial.startedAt)
      : undefined;
  return {
    name: trial.name,
    number,
    status: trial.status,
    statusLabel: TRIAL_STATUS_WORDS[trial.status],
    parameters: Object.fromEntries(trial.parameters.map(({ name, value }) => [name, value])),
    ...(trial.objective !== undefined ? { objective: trial.objective } : {}),
    metrics: Object.fromEntries(
      (trial.metrics ?? []).map(({ name, latest, min, max }) => [name, { latest, min, max }]),
    ),
    ...(durationMs !== undefined && Number.isFinite(durationMs) ? { durationMs } : {}),
    ...(trial.status === "running" && trial.startedAt ? { startedAt: trial.startedAt } : {}),
    ...(trial.reason ? { reason: trial.reason } : {}),
    opens: trial.runId ? (ended ? ["logs", "diagnosis"] : ["logs"]) : [],
    best: trial.name === best,
  };
}

/**
 * Each parameter's axis, in the order the trials name them: numeric where every value seen reads
 * as a number, else its values in the order first seen (a categorical parameter's list).
 */
export function axesOf(trials: readonly TrialState[]): ParameterAxisView[] {
  const values = new Map<string, string[]>();
  for (const trial of trials)
    for (const { name, value } of trial.parameters) values.set(name, [...(values.get(name) ?? []), value]);
  return [...values].map(([name, seen]): ParameterAxisView => {
    const numbers = seen.map((value) => (value.trim() === "" ? NaN : Number(value)));
    if (numbers.every(Number.isFinite))
      return { name, kind: "numeric", min: Math.min(...numbers), max: Math.max(...numbers) };
    return { name, kind: "categorical", values: [...new Set(seen)] };
  });
}

function metricsOf(trials: readonly TrialState[], objective: string): string[] {
  const names = new Set<string>([objective]);
  for (const trial of trials) for (const metric of trial.metrics ?? []) names.add(metric.name);
  return [...names];
}

/** The objective of each trial in the order they were asked for, and the best so far at each. */
export function chartOf(trials: readonly TrialState[], type: ObjectiveType): TuningViewState["chart"] {
  let best: number | undefined;
  const better = (a: number, b: number) => (type === "maximize" ? a > b : a < b);
  const bestSoFar: (number | null)[] = [];
  const objective = trials.map((trial) => {
    const value = trial.objective;
    if (value !== undefined && Number.isFinite(value) && (best === undefined || better(value, best)))
      best = value;
    bestSoFar.push(best ?? null);
    return value !== undefined && Number.isFinite(value) ? value : null;
  });
  return { x: trials.map((_, index) => index + 1), objective, bestSoFar };
}

/** "6 trials at most, 3 at once" */
function limitsOf(experiment: ExperimentRecord): string {
  const most =
    experiment.maxTrialCount !== undefined
      ? `${experiment.maxTrialCount} trial${experiment.maxTrialCount === 1 ? "" : "s"} at most`
      : "no trial limit";
  return `${most}, ${experiment.parallelTrialCount} at once`;
}

/** "Succeeded in 26.9 s: 6 succeeded" or "2 of 6 trials done: 1 running, 2 succeeded". */
function summaryOf(record: RunResult, experiment: ExperimentRecord, trials: readonly TrialState[]): string {
  const counts = trialCounts(trials);
  if (isFinished(record.status)) {
    const took = record.durationMs !== undefined ? ` in ${formatDuration(record.durationMs)}` : "";
    return `${STATUS_WORDS[record.status]}${took}${counts ? `: ${counts}` : ""}`;
  }
  const done = trials.filter((trial) => trialEnded(trial.status)).length;
  const of = experiment.maxTrialCount !== undefined ? ` of ${experiment.maxTrialCount}` : "";
  return `${done}${of} trial${done === 1 && !of ? "" : "s"} done${counts ? `: ${counts}` : ""}`;
}
