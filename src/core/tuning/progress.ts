import { metricsAvailable, objectiveMetricValue, parseGoFloat, UNAVAILABLE } from "./metrics";
import type {
  EarlyStoppingSpec,
  ExperimentSpec,
  MetricReading,
  NameValue,
  Objective,
  TrialState,
  TrialStatus,
} from "./types";

/**
 * Katib v0.19's rules for an experiment's trials, as pure functions: when it ends
 * (pkg/controller.v1beta1/experiment/util/status_util.go), its best trial (same file), how many
 * trials to ask for (experiment_controller.go's ReconcileTrials and ReconcileSuggestions), and
 * medianstop (pkg/earlystopping/v1beta1/medianstop/service.py with the collector's rule in
 * cmd/metricscollector/v1beta1/file-metricscollector/main.go).
 */

export type ExperimentOutcome =
  { ended: false } | { ended: true; status: "succeeded" | "failed"; reason: string; message: string };

/** Katib's trial conditions, which its counts go by. */
type Condition =
  "pending" | "running" | "succeeded" | "failed" | "killed" | "earlyStopped" | "metricsUnavailable";

const CONDITIONS: Record<TrialStatus, Condition> = {
  pending: "pending",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  "metrics-unavailable": "metricsUnavailable",
  "early-stopped": "earlyStopped",
  // Stopped from outside, neither failed nor succeeded: Katib's Killed.
  cancelled: "killed",
  // Its run ended with no one to see how, so no metrics: as a failed job to Katib.
  lost: "failed",
};

function countConditions(trials: TrialState[]): Record<Condition, number> {
  const counts: Record<Condition, number> = {
    pending: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    killed: 0,
    earlyStopped: 0,
    metricsUnavailable: 0,
  };
  for (const trial of trials) counts[CONDITIONS[trial.status]]++;
  return counts;
}

/**
 * The objective of a trial as Katib's status holds it: Katib writes a trial's observation only once
 * its job succeeded or medianstop stopped it; "unavailable" for any other trial.
 */
function observedObjective(spec: ExperimentSpec, trial: TrialState): string {
  if (trial.status !== "succeeded" && trial.status !== "early-stopped") return UNAVAILABLE;
  if (trial.metrics) return objectiveMetricValue(trial.metrics, spec.objective);
  return trial.objective === undefined ? UNAVAILABLE : String(trial.objective);
}

interface Summary {
  bestIndex: number;
  /** The value Katib compares with the goal; 0 where the best trial's objective is not a number. */
  bestValue: number;
  goalReached: boolean;
}

/**
 * Katib's updateTrialsSummary, trial by trial in order: a strictly better objective makes a trial
 * the best (ties keep the earlier one), and the goal is reached once the best is at least the goal
 * (maximize) or at most it (minimize). Katib's quirk is kept: an objective that is text, not a
 * number (`loss=nan` reads as ""), makes that trial the best without a value, and the best value
 * then stays Go's zero 0 until a later trial is better than 0.
 */
function summarize(spec: ExperimentSpec, trials: TrialState[]): Summary {
  const { type, goal } = spec.objective;
  const summary: Summary = { bestIndex: -1, bestValue: 0, goalReached: false };
  trials.forEach((trial, index) => {
    const text = observedObjective(spec, trial);
    if (text === UNAVAILABLE) return;
    const value = parseGoFloat(text);
    if (value === undefined) {
      summary.bestIndex = index;
      return;
    }
    if (summary.bestIndex === -1) Object.assign(summary, { bestIndex: index, bestValue: value });
    const better = type === "minimize" ? value < summary.bestValue : value > summary.bestValue;
    if (better) Object.assign(summary, { bestIndex: index, bestValue: value });
    if (goal === undefined) return;
    if (type === "minimize" ? summary.bestValue <= goal : summary.bestValue >= goal)
      summary.goalReached = true;
  });
  return summary;
}

/** Katib's currentOptimalTrial. `value` is the objective as Katib holds it; `objective` is NaN where that is not a number. */
export interface OptimalTrial {
  trial: string;
  parameters: NameValue[];
  objective: number;
  value: string;
}

export function bestTrial(spec: ExperimentSpec, trials: TrialState[]): OptimalTrial | undefined {
  const best = trials[summarize(spec, trials).bestIndex];
  if (!best) return undefined;
  const value = observedObjective(spec, best);
  return { trial: best.name, parameters: best.parameters, objective: parseGoFloat(value) ?? NaN, value };
}

/**
 * Whether the experiment has ended, by Katib's rules in Katib's order: the goal; then
 * maxFailedTrialCount, reached (>=, not >) by failed and metrics-unavailable trials together, so
 * that 0 ends it at the first failure; then maxTrialCount, reached by every completed trial
 * (succeeded, failed, killed, early-stopped, metrics-unavailable); then, where the search has no
 * new trial to suggest (grid), no trial left running.
 */
export function experimentOutcome(
  spec: ExperimentSpec,
  trials: TrialState[],
  options: { suggestionsExhausted?: boolean } = {},
): ExperimentOutcome {
  const { objectiveMetricName: metric, type, goal } = spec.objective;
  const summary = summarize(spec, trials);
  if (summary.goalReached) {
    const best = trials[summary.bestIndex]?.name ?? "";
    return {
      ended: true,
      status: "succeeded",
      reason: "ExperimentGoalReached",
      message: `The objective's goal is reached: the best ${metric} so far, ${summary.bestValue} (${best}), is ${type === "minimize" ? "at most" : "at least"} ${goal}.`,
    };
  }
  const counts = countConditions(trials);
  const failed = counts.failed + counts.metricsUnavailable;
  const maxFailed = spec.maxFailedTrialCount;
  if (maxFailed !== undefined && failed !== 0 && failed >= maxFailed) {
    return {
      ended: true,
      status: "failed",
      reason: "ExperimentFailed",
      message: `${plural(failed, "trial")} failed or ended without ${metric}, reaching maxFailedTrialCount (${maxFailed}).`,
    };
  }
  const completed = failed + counts.succeeded + counts.killed + counts.earlyStopped;
  if (spec.maxTrialCount !== undefined && completed >= spec.maxTrialCount) {
    return {
      ended: true,
      status: "succeeded",
      reason: "ExperimentMaxTrialsReached",
      message: `${plural(completed, "trial")} completed, reaching maxTrialCount (${spec.maxTrialCount}).`,
    };
  }
  if (options.suggestionsExhausted && counts.pending + counts.running === 0) {
    return {
      ended: true,
      status: "succeeded",
      reason: "ExperimentSuggestionEndReached",
      message: `The search space is used up: ${spec.algorithm.algorithmName} has no new trial to suggest.`,
    };
  }
  return { ended: false };
}

/**
 * How many new trials Katib would ask for now (ReconcileTrials): up to parallelTrialCount active
 * (pending or running), and no more than maxTrialCount less the completed trials, where Katib
 * counts succeeded, failed, killed and early-stopped trials but not metrics-unavailable ones (so
 * that an experiment with such trials may run more than maxTrialCount, as on the cluster). Fewer
 * by each early-stopped trial whose metrics are not in yet (ReconcileSuggestions). None once the
 * experiment has ended.
 */
export function trialsToRequest(spec: ExperimentSpec, trials: TrialState[]): number {
  if (experimentOutcome(spec, trials).ended) return 0;
  const counts = countConditions(trials);
  const active = counts.pending + counts.running;
  const completed = counts.succeeded + counts.failed + counts.killed + counts.earlyStopped;
  const parallel = spec.parallelTrialCount;
  const allowed =
    spec.maxTrialCount === undefined ? parallel : Math.min(spec.maxTrialCount - completed, parallel);
  const waiting = trials.filter(
    (trial) => trial.status === "early-stopped" && !hasObservation(spec, trial),
  ).length;
  return Math.max(0, Math.max(0, allowed - active) - waiting);
}

function hasObservation(spec: ExperimentSpec, trial: TrialState): boolean {
  if (trial.metrics) return metricsAvailable(trial.metrics, spec.objective.objectiveMetricName);
  return trial.objective !== undefined;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A finished trial with the readings its collector took, in the order it wrote them. */
export interface TrialHistory {
  trial: TrialState;
  readings: MetricReading[];
}

/** What medianstop hands a new trial's collector: stop once the objective compares so with `value`. */
export interface MedianStopRule {
  metric: string;
  value: number;
  comparison: "less" | "greater";
  startStep: number;
}

/**
 * Katib's medianstop service: for each succeeded trial (not early-stopped, failed or
 * metrics-unavailable), the mean of its first `start_step` values of the objective; once
 * `min_trials_required` trials have one, the rule's value is the mean of those means (Katib calls
 * it the median, but computes the mean). The rule stops a trial whose objective is below it
 * (maximize) or above it (minimize). Katib computes the rule when it creates a trial, from the
 * trials succeeded by then.
 */
export function medianStopRule(
  earlyStopping: EarlyStoppingSpec,
  objective: Pick<Objective, "type" | "objectiveMetricName">,
  completed: TrialHistory[],
): MedianStopRule | undefined {
  const setting = (name: string, fallback: number): number => {
    const value = earlyStopping.algorithmSettings.find((each) => each.name === name)?.value;
    return value === undefined ? fallback : Number(value.replace(/_/g, "").trim());
  };
  const minTrials = setting("min_trials_required", 3);
  const startStep = setting("start_step", 4);
  const metric = objective.objectiveMetricName;
  const means = completed
    .filter(({ trial }) => trial.status === "succeeded")
    .flatMap(({ readings }) => {
      const values = readings
        .filter((reading) => reading.name === metric)
        .slice(0, startStep)
        .map((reading) => parseGoFloat(reading.value));
      // Katib's service would fail on these; Parity leaves the trial out.
      if (values.length === 0 || values.some((value) => value === undefined)) return [];
      return [mean(values as number[])];
    });
  if (means.length < minTrials) return undefined;
  return {
    metric,
    value: mean(means),
    comparison: objective.type === "maximize" ? "less" : "greater",
    startStep,
  };
}

/**
 * Katib's collector applying the rule to a running trial's readings so far: it keeps the best
 * objective so far (max for maximize, min for minimize), and at the objective's `startStep`-th
 * value, and only then, stops the trial if that best compares with the rule's value as the rule
 * says. A trial past that step without being stopped runs to its end.
 */
export function breaksMedianStopRule(
  rule: MedianStopRule,
  type: Objective["type"],
  readings: MetricReading[],
): boolean {
  let best: number | undefined;
  let step = 0;
  for (const reading of readings) {
    if (reading.name !== rule.metric) continue;
    const value = parseGoFloat(reading.value);
    if (value === undefined) continue;
    if (best === undefined || (type === "maximize" ? value > best : value < best)) best = value;
    step++;
    if (step === rule.startStep) return rule.comparison === "less" ? best < rule.value : best > rule.value;
  }
  return false;
}

/** Whether medianstop stops the running trial now: the rule from `completed`, applied to `running`. */
export function medianStop(
  earlyStopping: EarlyStoppingSpec,
  objective: Pick<Objective, "type" | "objectiveMetricName">,
  completed: TrialHistory[],
  running: MetricReading[],
): boolean {
  const rule = medianStopRule(earlyStopping, objective, completed);
  return rule !== undefined && breaksMedianStopRule(rule, objective.type, running);
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
