import { describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import type { TrialState } from "../../../src/core/tuning/types";
import { axesOf, chartOf, tuningViewState } from "../../../src/panels/tuning/tuningView";
import { tuningFromWebview } from "../../../src/protocol/tuning";

function trial(
  n: number,
  status: TrialState["status"],
  lr: string,
  optimizer: string,
  objective?: number,
): TrialState {
  return {
    name: `train-random-${n}`,
    status,
    parameters: [
      { name: "lr", value: lr },
      { name: "optimizer", value: optimizer },
    ],
    ...(status !== "pending"
      ? { runId: `train-random-${n}-run`, startedAt: "2026-12-05T08:21:10.000Z" }
      : {}),
    ...(status !== "pending" && status !== "running" ? { finishedAt: "2026-12-05T08:21:12.500Z" } : {}),
    ...(objective !== undefined
      ? {
          objective,
          metrics: [
            { name: "accuracy", min: "0.7", max: String(objective), latest: String(objective) },
            { name: "loss", min: "0.1", max: "0.3", latest: "0.12" },
          ],
        }
      : {}),
  };
}

function record(
  status: RunResult["status"],
  trials: TrialState[],
  extra: Partial<RunResult> = {},
): RunResult {
  return {
    runId: "train-random-20261205-082108-7529",
    kind: "experiment",
    target: "local",
    status,
    exitCode: null,
    oomKilled: false,
    image: "parity/tune:abc",
    memoryLimitBytes: 128 * 1024 ** 2,
    notebook: "/w/train.ipynb",
    startedAt: "2026-12-05T08:21:08.000Z",
    diagnosis: [],
    ...extra,
    experiment: {
      name: "train-random",
      file: "/w/random.yaml",
      specDigest: "d",
      algorithm: "random",
      objective: { type: "maximize", metric: "accuracy", goal: 0.99 },
      parallelTrialCount: 3,
      maxTrialCount: 6,
      params: [],
      trials,
      best: { trial: "train-random-2", parameters: trials[1]?.parameters ?? [], objective: 0.9 },
      notes: ["cmaes runs as optuna's sampler here"],
    },
  };
}

describe("the tuning panel's view state", () => {
  it("says it waits while the record is not written yet", () => {
    const state = tuningViewState({ runId: "train-random-x" });
    expect(state).toMatchObject({
      status: "pending",
      live: true,
      trials: [],
      note: "Waiting for the experiment's record...",
    });
  });

  it("has the header, a row per trial with its links, the axes and the chart of a running experiment", () => {
    const state = tuningViewState({
      runId: "train-random-20261205-082108-7529",
      record: record("running", [
        trial(1, "succeeded", "0.02", "sgd", 0.8),
        trial(2, "succeeded", "0.03", "adam", 0.9),
        trial(3, "failed", "0.05", "sgd"),
        trial(4, "running", "0.01", "adam"),
        trial(5, "pending", "0.04", "adam"),
      ]),
    });
    expect(state).toMatchObject({
      experimentName: "train-random",
      notebookName: "train.ipynb",
      source: "random.yaml",
      where: "local Docker",
      algorithm: "random",
      objective: { type: "maximize", metric: "accuracy", goal: 0.99 },
      limits: "6 trials at most, 3 at once",
      statusLabel: "Running",
      summary: "3 of 6 trials done: 1 running, 2 succeeded, 1 failed, 1 pending",
      notes: ["cmaes runs as optuna's sampler here"],
      metrics: ["accuracy", "loss"],
      live: true,
    });
    expect(state.trials.map((row) => [row.name, row.number, row.statusLabel, row.opens, row.best])).toEqual([
      ["train-random-1", 1, "Succeeded", ["logs", "diagnosis"], false],
      ["train-random-2", 2, "Succeeded", ["logs", "diagnosis"], true],
      ["train-random-3", 3, "Failed", ["logs", "diagnosis"], false],
      ["train-random-4", 4, "Running", ["logs"], false],
      ["train-random-5", 5, "Pending", [], false],
    ]);
    expect(state.trials[0]).toMatchObject({
      parameters: { lr: "0.02", optimizer: "sgd" },
      objective: 0.8,
      durationMs: 2500,
      metrics: { loss: { latest: "0.12", min: "0.1", max: "0.3" } },
    });
    expect(state.trials[3]!.startedAt).toBe("2026-12-05T08:21:10.000Z");
    expect(state.parameters).toEqual([
      { name: "lr", kind: "numeric", min: 0.01, max: 0.05 },
      { name: "optimizer", kind: "categorical", values: ["sgd", "adam"] },
    ]);
    expect(state.chart).toEqual({
      x: [1, 2, 3, 4, 5],
      objective: [0.8, 0.9, null, null, null],
      bestSoFar: [0.8, 0.9, 0.9, 0.9, 0.9],
    });
  });

  it("says where a cluster's experiment runs: its context, namespace and Katib Experiment", () => {
    const state = tuningViewState({
      runId: "train-random-20261205-082108-7529",
      record: record("running", [trial(1, "running", "0.02", "sgd")], {
        target: "cluster",
        cluster: {
          context: "prod",
          server: "https://prod.example:6443",
          namespace: "team-a",
          kind: "Experiment",
          apiVersion: "kubeflow.org/v1beta1",
          name: "train-random-7529",
        },
      }),
    });
    expect(state.where).toBe("the cluster (context prod, namespace team-a) as Experiment train-random-7529");
  });

  it("says how a finished experiment ended, with its problems and their fixes", () => {
    const state = tuningViewState({
      runId: "r",
      record: record("failed", [trial(1, "failed", "0.02", "sgd")], {
        durationMs: 4200,
        diagnosis: [
          {
            code: "DoctorMetricMissing",
            severity: "error",
            message: "train-random-1 printed no accuracy.",
            fix: 'Print it as "accuracy=0.9".',
          },
        ],
      }),
    });
    expect(state.summary).toBe("Failed in 4.2 s: 1 failed");
    expect(state.live).toBe(false);
    expect(state.problems).toEqual([
      { message: "train-random-1 printed no accuracy.", fix: 'Print it as "accuracy=0.9".' },
    ]);
  });
});

describe("the chart's best so far", () => {
  it("follows the lowest objective when minimizing, and starts once a trial reported one", () => {
    const trials = [
      trial(1, "failed", "1", "a"),
      trial(2, "succeeded", "1", "a", 0.5),
      trial(3, "succeeded", "1", "a", 0.7),
      trial(4, "succeeded", "1", "a", 0.2),
    ];
    expect(chartOf(trials, "minimize").bestSoFar).toEqual([null, 0.5, 0.5, 0.2]);
    expect(chartOf(trials, "maximize").bestSoFar).toEqual([null, 0.5, 0.7, 0.7]);
  });

  it("reads a parameter as categorical once one value is not a number", () => {
    expect(axesOf([trial(1, "pending", "1e-3", "x"), trial(2, "pending", "", "y")])[0]).toEqual({
      name: "lr",
      kind: "categorical",
      values: ["1e-3", ""],
    });
  });
});

describe("the tuning panel's messages from its page", () => {
  it("take a trial's name and what to open, and nothing else", () => {
    expect(tuningFromWebview.openTrial({ name: "train-random-1", view: "logs" })).toEqual({
      name: "train-random-1",
      view: "logs",
    });
    expect(tuningFromWebview.openTrial({ name: "t", view: "shell" })).toBeUndefined();
    expect(tuningFromWebview.openTrial({ name: 3, view: "logs" })).toBeUndefined();
    expect(tuningFromWebview.applyBest({})).toEqual({});
    expect(tuningFromWebview.applyBest("x")).toBeUndefined();
  });
});
