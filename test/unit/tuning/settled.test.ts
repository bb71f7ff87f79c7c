import { describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import type { ExperimentRecord } from "../../../src/core/tuning/record";
import { keptOnResume, settledExperiment, type TrialEndState } from "../../../src/core/tuning/settled";
import type { ExperimentSpec, TrialState } from "../../../src/core/tuning/types";

const spec: ExperimentSpec = {
  objective: {
    type: "maximize",
    objectiveMetricName: "accuracy",
    additionalMetricNames: [],
    metricStrategies: [{ name: "accuracy", value: "max" }],
  },
  algorithm: { algorithmName: "random", algorithmSettings: [] },
  parameters: [{ name: "lr", parameterType: "double", feasibleSpace: { min: "0.01", max: "0.1" } }],
  parallelTrialCount: 3,
  metricsCollector: { kind: "StdOut", filters: [] },
};

const trial = (name: string, status: TrialState["status"], over: Partial<TrialState> = {}): TrialState => ({
  name,
  status,
  parameters: [{ name: "lr", value: "0.05" }],
  runId: `${name}-run`,
  ...over,
});

function experimentRun(trials: TrialState[]): RunResult {
  const experiment: ExperimentRecord = {
    name: "exp",
    file: "/w/random.yaml",
    specDigest: "d",
    algorithm: "random",
    objective: { type: "maximize", metric: "accuracy" },
    parallelTrialCount: 3,
    params: [],
    trials,
    best: { trial: "exp-1", parameters: [], objective: 0.5 },
  };
  return {
    runId: "exp-20261204-100000-abcd",
    kind: "experiment",
    target: "local",
    status: "running",
    exitCode: null,
    oomKilled: false,
    image: "parity/train:1",
    notebook: "/w/train.ipynb",
    memoryLimitBytes: 128 * 1024 * 1024,
    experiment,
    diagnosis: [],
  };
}

const follower = { pid: 4242, lastSeenAt: "2026-12-04T10:00:31.250Z" };
const resume = "parity tune train.ipynb --resume exp-20261204-100000-abcd";

describe("an experiment settled after its process went away", () => {
  it("gives each running trial the end its run got, keeps the others, and says what happened and how to resume", () => {
    const ends = new Map<string, TrialEndState>([
      ["exp-2", { status: "succeeded", objective: 0.9, finishedAt: "2026-12-04T10:01:00Z" }],
      ["exp-3", { status: "cancelled", finishedAt: "2026-12-04T10:05:00Z", reason: "stopped" }],
    ]);
    const record = experimentRun([
      trial("exp-1", "succeeded", { objective: 0.5, metrics: [] }),
      trial("exp-2", "running"),
      trial("exp-3", "running"),
      trial("exp-4", "running"),
      trial("exp-5", "pending", { runId: undefined }),
    ]);
    const settled = settledExperiment(record, ends, follower, resume, spec);

    expect(settled).toMatchObject({ status: "lost", exitCode: null });
    expect(settled.experiment!.trials.map((each) => [each.name, each.status])).toEqual([
      ["exp-1", "succeeded"],
      ["exp-2", "succeeded"],
      ["exp-3", "cancelled"],
      ["exp-4", "lost"],
      ["exp-5", "pending"],
    ]);
    expect(settled.experiment!.trials[1]).toMatchObject({ objective: 0.9, runId: "exp-2-run" });
    expect(settled.experiment!.trials[3]!.reason).toBe(
      "the experiment's process went away before its run was recorded",
    );
    // The best trial is found again among the trials that ended since.
    expect(settled.experiment!.best).toMatchObject({ trial: "exp-2", objective: 0.9 });
    expect(settled.diagnosis).toEqual([
      {
        code: "ExperimentInterrupted",
        severity: "warning",
        message:
          "The process that ran the experiment (pid 4242) went away before it ended (it was killed, or its window closed); it last wrote its record at 2026-12-04 10:00:31 UTC. Of the 3 trials running then, 1 ended by itself and is kept, 1 was stopped and 1 left nothing to say how it ended; the 2 that did not end run again when it is resumed.",
        fix: "Resume it: parity tune train.ipynb --resume exp-20261204-100000-abcd (in VS Code: Resume Experiment on its row in the Experiments view).",
      },
    ]);
    // The record it was made from is left as it was.
    expect(record.experiment!.trials[1]!.status).toBe("running");
  });

  it("says so when no trial was running, and keeps the best it had without the experiment's spec", () => {
    const record = experimentRun([trial("exp-1", "succeeded", { objective: 0.5 })]);
    const settled = settledExperiment(record, new Map(), { pid: undefined }, resume);
    expect(settled.status).toBe("lost");
    expect(settled.experiment!.best).toEqual(record.experiment!.best);
    expect(settled.diagnosis[0]!.message).toBe(
      "The process that ran the experiment went away before it ended (it was killed, or its window closed). No trial was running then; the experiment goes on from its record when it is resumed.",
    );
  });

  it("keeps on resume the trials that ended by Katib's rules, not those stopped or lost", () => {
    expect(
      (["succeeded", "failed", "metrics-unavailable", "early-stopped"] as const).every(keptOnResume),
    ).toBe(true);
    expect((["cancelled", "lost", "pending", "running"] as const).some(keptOnResume)).toBe(false);
  });
});
