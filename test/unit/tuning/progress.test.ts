import { describe, expect, it } from "vitest";
import {
  bestTrial,
  breaksMedianStopRule,
  experimentOutcome,
  medianStop,
  medianStopRule,
  trialsToRequest,
  type TrialHistory,
} from "../../../src/core/tuning/progress";
import type {
  EarlyStoppingSpec,
  ExperimentSpec,
  MetricReading,
  TrialState,
  TrialStatus,
} from "../../../src/core/tuning/types";

function specOf(
  overrides: Partial<ExperimentSpec> = {},
  objective: Partial<ExperimentSpec["objective"]> = {},
): ExperimentSpec {
  return {
    objective: {
      type: "maximize",
      objectiveMetricName: "accuracy",
      additionalMetricNames: [],
      metricStrategies: [{ name: "accuracy", value: "max" }],
      ...objective,
    },
    algorithm: { algorithmName: "random", algorithmSettings: [] },
    parameters: [{ name: "lr", parameterType: "double", feasibleSpace: { min: "0.01", max: "0.1" } }],
    parallelTrialCount: 3,
    metricsCollector: { kind: "StdOut", filters: [] },
    ...overrides,
  };
}

let count = 0;
function trial(status: TrialStatus, objective?: number): TrialState {
  count++;
  return {
    name: `exp-${count}`,
    status,
    parameters: [{ name: "lr", value: String(count / 100) }],
    ...(objective !== undefined && { objective }),
  };
}

const statuses = (...list: TrialStatus[]) => list.map((status) => trial(status));

describe("experimentOutcome: the goal", () => {
  it("is reached when the best objective is at least the goal (maximize)", () => {
    const spec = specOf({}, { goal: 0.9 });
    expect(experimentOutcome(spec, [trial("succeeded", 0.8)])).toEqual({ ended: false });
    const outcome = experimentOutcome(spec, [trial("succeeded", 0.8), trial("succeeded", 0.9)]);
    expect(outcome).toMatchObject({ ended: true, status: "succeeded", reason: "ExperimentGoalReached" });
  });

  it("is reached when the best objective is at most the goal (minimize)", () => {
    const spec = specOf({}, { type: "minimize", objectiveMetricName: "loss", goal: 0.1 });
    expect(experimentOutcome(spec, [trial("succeeded", 0.2)]).ended).toBe(false);
    expect(experimentOutcome(spec, [trial("succeeded", 0.1)])).toMatchObject({
      ended: true,
      reason: "ExperimentGoalReached",
      message: expect.stringContaining("is at most 0.1"),
    });
  });

  it("counts succeeded and early-stopped trials only, as only they have Katib observations", () => {
    const spec = specOf({}, { goal: 0.9 });
    expect(experimentOutcome(spec, [trial("failed", 0.95), trial("running", 0.95)]).ended).toBe(false);
    expect(experimentOutcome(spec, [trial("early-stopped", 0.95)]).ended).toBe(true);
  });

  it("comes before the failure bound", () => {
    const spec = specOf({ maxFailedTrialCount: 1 }, { goal: 0.9 });
    expect(experimentOutcome(spec, [trial("failed"), trial("succeeded", 0.95)])).toMatchObject({
      status: "succeeded",
      reason: "ExperimentGoalReached",
    });
  });
});

describe("experimentOutcome: the bounds", () => {
  it("fails once failed and metrics-unavailable trials reach maxFailedTrialCount (>=)", () => {
    const spec = specOf({ maxFailedTrialCount: 2 });
    expect(experimentOutcome(spec, statuses("failed", "succeeded")).ended).toBe(false);
    expect(experimentOutcome(spec, statuses("failed", "metrics-unavailable"))).toEqual({
      ended: true,
      status: "failed",
      reason: "ExperimentFailed",
      message: "2 trials failed or ended without accuracy, reaching maxFailedTrialCount (2).",
    });
  });

  it("fails at the first failure with maxFailedTrialCount 0, not before", () => {
    const spec = specOf({ maxFailedTrialCount: 0 });
    expect(experimentOutcome(spec, statuses("succeeded")).ended).toBe(false);
    expect(experimentOutcome(spec, statuses("failed"))).toMatchObject({ status: "failed" });
  });

  it("counts a lost trial as failed and a cancelled one as killed", () => {
    expect(experimentOutcome(specOf({ maxFailedTrialCount: 1 }), statuses("lost")).ended).toBe(true);
    expect(experimentOutcome(specOf({ maxFailedTrialCount: 1 }), statuses("cancelled")).ended).toBe(false);
  });

  it("succeeds once every kind of completed trial reaches maxTrialCount", () => {
    const spec = specOf({ maxTrialCount: 5 });
    const done = statuses("succeeded", "failed", "cancelled", "early-stopped", "metrics-unavailable");
    expect(experimentOutcome(spec, done.slice(0, 4)).ended).toBe(false);
    expect(experimentOutcome(spec, done)).toEqual({
      ended: true,
      status: "succeeded",
      reason: "ExperimentMaxTrialsReached",
      message: "5 trials completed, reaching maxTrialCount (5).",
    });
    expect(experimentOutcome(spec, [...done.slice(0, 4), trial("running")]).ended).toBe(false);
  });

  it("ends when the search is used up and no trial is active", () => {
    const spec = specOf({ algorithm: { algorithmName: "grid", algorithmSettings: [] } });
    expect(
      experimentOutcome(spec, statuses("succeeded", "running"), { suggestionsExhausted: true }).ended,
    ).toBe(false);
    expect(experimentOutcome(spec, statuses("succeeded"), { suggestionsExhausted: true })).toMatchObject({
      reason: "ExperimentSuggestionEndReached",
    });
  });
});

describe("bestTrial", () => {
  it("is the strictly best objective, the earlier trial on a tie", () => {
    const trials = [
      trial("succeeded", 0.8),
      trial("succeeded", 0.9),
      trial("succeeded", 0.9),
      trial("failed"),
    ];
    expect(bestTrial(specOf(), trials)).toEqual({
      trial: trials[1]!.name,
      parameters: trials[1]!.parameters,
      objective: 0.9,
      value: "0.9",
    });
    expect(bestTrial(specOf({}, { type: "minimize" }), trials)?.trial).toBe(trials[0]!.name);
  });

  it("takes the objective from the trial's observed metrics by its strategy", () => {
    const observed = {
      ...trial("succeeded"),
      metrics: [{ name: "accuracy", min: "0.1", max: "0.7", latest: "0.5" }],
    };
    expect(bestTrial(specOf(), [trial("succeeded", 0.6), observed])?.objective).toBe(0.7);
  });

  it("is none before a trial has an objective", () => {
    expect(bestTrial(specOf(), statuses("running", "metrics-unavailable"))).toBeUndefined();
  });

  it("keeps Katib's quirk: a text objective is the best, and the goal is then compared with 0", () => {
    const nan = {
      ...trial("succeeded"),
      metrics: [{ name: "loss", min: "unavailable", max: "unavailable", latest: "" }],
    };
    const spec = specOf(
      {},
      {
        type: "minimize",
        objectiveMetricName: "loss",
        metricStrategies: [{ name: "loss", value: "min" }],
        goal: 0.01,
      },
    );
    expect(bestTrial(spec, [nan])).toMatchObject({ trial: nan.name, value: "", objective: NaN });
    expect(experimentOutcome(spec, [nan, trial("succeeded", 0.5)])).toMatchObject({
      reason: "ExperimentGoalReached",
    });
  });
});

describe("trialsToRequest", () => {
  it("fills up to parallelTrialCount active trials", () => {
    expect(trialsToRequest(specOf(), [])).toBe(3);
    expect(trialsToRequest(specOf(), statuses("running", "pending", "succeeded"))).toBe(1);
    expect(trialsToRequest(specOf(), statuses("running", "running", "running"))).toBe(0);
  });

  it("asks for no more than maxTrialCount less the completed trials, failed ones included", () => {
    const spec = specOf({ maxTrialCount: 5, parallelTrialCount: 3 });
    expect(trialsToRequest(spec, statuses("succeeded", "failed", "cancelled", "running"))).toBe(1);
  });

  it("leaves metrics-unavailable trials out of the completed ones, as Katib's ReconcileTrials does", () => {
    const spec = specOf({ maxTrialCount: 4, parallelTrialCount: 2 });
    expect(trialsToRequest(spec, statuses("metrics-unavailable", "succeeded", "succeeded"))).toBe(2);
  });

  it("waits for early-stopped trials whose metrics are not in", () => {
    expect(trialsToRequest(specOf(), statuses("early-stopped"))).toBe(2);
    expect(trialsToRequest(specOf(), [trial("early-stopped", 0.5)])).toBe(3);
  });

  it("asks for none once the experiment has ended", () => {
    expect(trialsToRequest(specOf({ maxFailedTrialCount: 1 }), statuses("failed"))).toBe(0);
  });
});

describe("medianstop", () => {
  const medianstop = (settings: Record<string, string> = {}): EarlyStoppingSpec => ({
    algorithmName: "medianstop",
    algorithmSettings: Object.entries(settings).map(([name, value]) => ({ name, value })),
  });
  const objective = { type: "maximize" as const, objectiveMetricName: "accuracy" };
  const readings = (...accuracies: number[]): MetricReading[] =>
    accuracies.flatMap((value) => [
      { name: "loss", value: String(1 - value) },
      { name: "accuracy", value: String(value) },
    ]);
  const history = (status: TrialStatus, ...accuracies: number[]): TrialHistory => ({
    trial: trial(status),
    readings: readings(...accuracies),
  });

  it("needs min_trials_required (3) succeeded trials before it has a rule", () => {
    const two = [
      history("succeeded", 0.5, 0.6),
      history("succeeded", 0.5, 0.6),
      history("early-stopped", 0.9),
    ];
    expect(medianStopRule(medianstop(), objective, two)).toBeUndefined();
    expect(medianStopRule(medianstop({ min_trials_required: "2" }), objective, two)).toBeDefined();
  });

  it("averages each succeeded trial's first start_step (4) values, then takes the mean of those", () => {
    const completed = [
      history("succeeded", 0.2, 0.4, 0.6, 0.8, 1.0),
      history("succeeded", 0.1, 0.1, 0.1, 0.1),
      history("succeeded", 0.9),
      history("failed", 0.0),
    ];
    const rule = medianStopRule(medianstop(), objective, completed);
    expect(rule).toMatchObject({ metric: "accuracy", comparison: "less", startStep: 4 });
    expect(rule?.value).toBeCloseTo((0.5 + 0.1 + 0.9) / 3);
  });

  it("compares the best value so far at start_step, and only then", () => {
    const rule = { metric: "accuracy", value: 0.5, comparison: "less" as const, startStep: 3 };
    expect(breaksMedianStopRule(rule, "maximize", readings(0.1, 0.2))).toBe(false);
    expect(breaksMedianStopRule(rule, "maximize", readings(0.1, 0.2, 0.3))).toBe(true);
    expect(breaksMedianStopRule(rule, "maximize", readings(0.6, 0.2, 0.3))).toBe(false);
    // Past start_step the collector no longer checks: the trial runs on.
    expect(breaksMedianStopRule(rule, "maximize", readings(0.6, 0.2, 0.3, 0.1, 0.1))).toBe(false);
  });

  it("stops a minimizing trial above the rule", () => {
    const loss = { type: "minimize" as const, objectiveMetricName: "loss" };
    const completed = [history("succeeded", 0.9), history("succeeded", 0.9), history("succeeded", 0.9)];
    const settings = medianstop({ start_step: "1" });
    expect(medianStopRule(settings, loss, completed)).toMatchObject({ comparison: "greater" });
    expect(medianStop(settings, loss, completed, [{ name: "loss", value: "0.5" }])).toBe(true);
    expect(medianStop(settings, loss, completed, [{ name: "loss", value: "0.05" }])).toBe(false);
  });

  it("stops a maximizing trial below the median of those before it", () => {
    const completed = [
      history("succeeded", 0.8, 0.8),
      history("succeeded", 0.9, 0.9),
      history("succeeded", 0.7, 0.7),
    ];
    const settings = medianstop({ start_step: "2" });
    expect(medianStop(settings, objective, completed, readings(0.5, 0.6))).toBe(true);
    expect(medianStop(settings, objective, completed, readings(0.5, 0.85))).toBe(false);
  });
});
