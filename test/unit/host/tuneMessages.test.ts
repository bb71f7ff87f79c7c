import { describe, expect, it, vi } from "vitest";
import type { RunResult } from "../../../src/core/job/types";

vi.mock("vscode", async () => await import("../panels/fakeVscode"));

const { endMessage, trialsProgress } = await import("../../../src/commands/tuning/tuning");

function result(status: RunResult["status"], extra: Partial<RunResult> = {}, reason?: string): RunResult {
  return {
    runId: "train-random-1",
    kind: "experiment",
    target: "local",
    status,
    exitCode: null,
    oomKilled: false,
    image: "i",
    notebook: "/w/train.ipynb",
    memoryLimitBytes: 1,
    diagnosis: [],
    durationMs: 12_300,
    ...extra,
    experiment: {
      name: "train-random",
      file: "/w/random.yaml",
      specDigest: "d",
      algorithm: "random",
      objective: { type: "maximize", metric: "accuracy" },
      parallelTrialCount: 3,
      params: [],
      ...(reason ? { reason } : {}),
      trials: [
        {
          name: "train-random-1",
          status: "succeeded",
          parameters: [{ name: "lr", value: "0.03" }],
          objective: 0.9,
        },
        { name: "train-random-2", status: status === "cancelled" ? "cancelled" : "failed", parameters: [] },
      ],
      ...(status !== "failed"
        ? { best: { trial: "train-random-1", parameters: [{ name: "lr", value: "0.03" }], objective: 0.9 } }
        : {}),
    },
  };
}

describe("what Tune says at the end", () => {
  it("names the best trial when the experiment succeeded", () => {
    expect(endMessage(result("succeeded"), "train.ipynb")).toEqual({
      text: "The experiment of train.ipynb succeeded in 12.3 s (2 trials: 1 succeeded, 1 failed). Best: train-random-1, accuracy = 0.9 with lr=0.03.",
      warning: false,
    });
  });

  it("gives the doctor's refusal with its fix", () => {
    const refused = result(
      "failed",
      {
        diagnosis: [
          {
            code: "DoctorMetricMissing",
            severity: "error",
            message: "train-random-1 printed no accuracy=<value> line.",
            fix: "Print the metric as accuracy=0.9.",
          },
        ],
      },
      "DoctorRefused",
    );
    expect(endMessage(refused, "train.ipynb")).toEqual({
      text: "The doctor stopped the experiment of train.ipynb after its first trial, before the others ran: train-random-1 printed no accuracy=<value> line. Fix: Print the metric as accuracy=0.9.",
      warning: true,
    });
  });

  it("says how to resume a cancelled experiment", () => {
    expect(endMessage(result("cancelled"), "train.ipynb").text).toMatch(
      /was cancelled .*Resume it with Resume Experiment on its row in the Experiments view\.$/,
    );
  });

  it("offers no resume for a cancelled experiment on a cluster: Katib's Experiment is deleted", () => {
    const onCluster = result("cancelled", { target: "cluster" });
    const { text } = endMessage(onCluster, "train.ipynb on the cluster");
    expect(text).toBe(
      "The experiment of train.ipynb on the cluster was cancelled (2 trials: 1 succeeded, 1 cancelled). Best: train-random-1, accuracy = 0.9 with lr=0.03.",
    );
  });

  it("says in the progress which trials run, how many ended and the best so far", () => {
    const trials = result("running").experiment!.trials;
    expect(
      trialsProgress(
        [...trials, { name: "train-random-3", status: "running", parameters: [] }],
        6,
        { trial: "train-random-1", parameters: [], objective: 0.9 },
        "accuracy",
      ),
    ).toBe("Running train-random-3 · 2 of 6 trials done · best accuracy 0.9 (train-random-1)");
  });
});
