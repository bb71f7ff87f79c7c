import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { StoredRun } from "../../../src/app/store";
import type { RunResult } from "../../../src/core/job/types";
import type { TrialState } from "../../../src/core/tuning/types";
import {
  EXPERIMENTS_PER_NOTEBOOK,
  experimentNodes,
  presentExperiment,
  presentExperimentRun,
  presentTrial,
  trialNodes,
} from "../../../src/views/experiments/experimentsModel";

const workspace = "/w";
const train = "/w/tune/train.ipynb";

function trial(n: number, status: TrialState["status"], objective?: number): TrialState {
  return {
    name: `train-random-${n}`,
    status,
    parameters: [
      { name: "lr", value: String(0.01 * n) },
      { name: "optimizer", value: n % 2 ? "sgd" : "adam" },
    ],
    ...(status !== "pending" ? { runId: `train-random-${n}-run` } : {}),
    ...(objective !== undefined ? { objective } : {}),
    ...(status === "failed" ? { reason: "exit 1" } : {}),
  };
}

function experiment(
  runId: string,
  startedAt: string,
  status: RunResult["status"],
  trials: TrialState[],
  notebook = train,
): StoredRun {
  const scored = trials.filter((each) => each.objective !== undefined);
  const best = scored.sort((a, b) => b.objective! - a.objective!)[0];
  return {
    dir: path.join(workspace, "tune", ".parity", "runs", runId),
    result: {
      runId,
      kind: "experiment",
      target: "local",
      status,
      exitCode: status === "succeeded" ? 0 : null,
      oomKilled: false,
      image: "parity/tune:abc",
      memoryLimitBytes: 128 * 1024 ** 2,
      notebook,
      startedAt,
      diagnosis: [],
      ...(status === "succeeded" ? { durationMs: 26_900 } : {}),
      experiment: {
        name: "train-random",
        file: "/w/tune/train.experiment.yaml",
        specDigest: "d",
        algorithm: "random",
        objective: { type: "maximize", metric: "accuracy", goal: 0.99 },
        parallelTrialCount: 3,
        maxTrialCount: 6,
        params: [],
        trials,
        ...(best
          ? { best: { trial: best.name, parameters: best.parameters, objective: best.objective! } }
          : {}),
      },
    },
  };
}

const options = {
  isActive: (run: StoredRun) => run.result.runId === "train-random-live",
  relativeFolder: (folder: string) => path.relative(workspace, folder),
};

const done = [1, 2, 3, 4, 5, 6].map((n) => trial(n, "succeeded", 0.8 + n / 100));

describe("the Experiments view's rows", () => {
  it("list a notebook found with an experiment before it ran, and its experiments newest first", () => {
    const older = experiment("train-random-old", "2026-12-05T08:00:00Z", "cancelled", done.slice(0, 2));
    const newer = experiment("train-random-new", "2026-12-05T09:00:00Z", "succeeded", done);
    const job = {
      ...newer,
      dir: "/w/tune/.parity/runs/job",
      result: { ...newer.result, kind: "job" as const },
    };
    const nodes = experimentNodes(
      [
        { notebookFile: train, experimentFile: "/w/tune/train.experiment.yaml" },
        { notebookFile: "/w/other/eval.ipynb", experimentFile: "/w/parity.yaml" },
      ],
      [older, job, newer],
      options,
    );
    expect(
      nodes.map((node) => [path.basename(node.notebookFile), node.runs.map((run) => run.ref.runId)]),
    ).toEqual([
      ["eval.ipynb", []],
      ["train.ipynb", ["train-random-new", "train-random-old"]],
    ]);
    const [evalNode, trainNode] = nodes;
    expect(presentExperiment(evalNode!)).toMatchObject({
      label: "eval.ipynb",
      description: "parity.yaml · not tuned yet",
      contextValue: "parity:experiment+tunable",
    });
    expect(presentExperiment(trainNode!).description).toBe("train.experiment.yaml · last succeeded");
    expect(trainNode!.runs[0]!.latest).toBe(true);
    // The cancelled one, run by no one now, can be resumed; the live one can be cancelled here.
    expect(trainNode!.runs[1]!.resumable).toBe(true);
    expect(presentExperimentRun(trainNode!.runs[1]!).contextValue).toBe(
      "parity:experimentRun+cancelled+local+resumable",
    );
  });

  it("keep the notebook of a recorded experiment whose file is gone, and only the newest few", () => {
    const runs = Array.from({ length: EXPERIMENTS_PER_NOTEBOOK + 2 }, (_, index) =>
      experiment(`train-random-${index}`, `2026-12-05T0${index}:00:00Z`, "succeeded", done),
    );
    const [node] = experimentNodes([], runs, options);
    expect(node!.runs).toHaveLength(EXPERIMENTS_PER_NOTEBOOK);
    expect(node!.runs[0]!.ref.runId).toBe(`train-random-${EXPERIMENTS_PER_NOTEBOOK + 1}`);
    const row = presentExperiment(node!);
    expect(row.description).toBe("experiment file gone · last succeeded");
    // Nothing to tune from: no inline Tune.
    expect(row.contextValue).toBe("parity:experiment");
  });

  it("say of an experiment its status, its best objective so far and its trial counts", () => {
    const finished = experimentNodes(
      [],
      [experiment("train-random-new", "2026-12-05T09:00:00Z", "succeeded", done)],
      options,
    )[0]!.runs[0]!;
    expect(presentExperimentRun(finished).description).toBe(
      "Succeeded · best accuracy 0.86 · 6 trials · 6 succeeded",
    );
    const live = experimentNodes(
      [],
      [
        experiment("train-random-live", "2026-12-05T09:00:00Z", "running", [
          trial(1, "succeeded", 0.81),
          trial(2, "failed"),
          trial(3, "running"),
          trial(4, "pending"),
        ]),
      ],
      options,
    )[0]!.runs[0]!;
    const row = presentExperimentRun(live);
    expect(row.description).toBe("Running · best accuracy 0.81 · 2 of 6 trials done");
    expect(row.contextValue).toBe("parity:experimentRun+running+local+cancellable");
    // One another process runs (parity tune in a terminal) is cancellable here too, not resumable.
    const elsewhere = experimentNodes(
      [],
      [experiment("train-random-cli", "2026-12-05T09:00:00Z", "running", [trial(1, "running")])],
      options,
    )[0]!.runs[0]!;
    expect(presentExperimentRun(elsewhere).contextValue).toBe(
      "parity:experimentRun+running+local+cancellable",
    );
    expect(row.tooltip).toContain("Best: train-random-1 with lr=0.01, optimizer=sgd");
  });

  it("give each trial its status, objective and parameters, and what Open Logs takes from a run's row", () => {
    const run = experimentNodes(
      [],
      [
        experiment("train-random-live", "2026-12-05T09:00:00Z", "running", [
          trial(1, "succeeded", 0.8123456789),
          trial(2, "failed"),
          trial(3, "pending"),
        ]),
      ],
      options,
    )[0]!.runs[0]!;
    const [first, second, third] = trialNodes(run);
    expect(presentTrial(first!)).toMatchObject({
      label: "train-random-1",
      description: "Succeeded · best · accuracy 0.812346 · lr=0.01, optimizer=sgd",
      contextValue: "parity:trial+succeeded+run",
    });
    expect(first!.dir).toBe("/w/tune/.parity/runs/train-random-1-run");
    expect(first!.summary).toMatchObject({
      runId: "train-random-1-run",
      trial: "train-random-1",
      status: "succeeded",
    });
    expect(presentTrial(second!).description).toBe("Failed · exit 1 · lr=0.02, optimizer=adam");
    // Not started: no run to open.
    expect(third!.dir).toBeUndefined();
    expect(presentTrial(third!).contextValue).toBe("parity:trial+pending");
  });
});

describe("an experiment on a cluster", () => {
  const onCluster = (status: RunResult["status"], trials: TrialState[]): StoredRun => {
    const stored = experiment("train-random-kube", "2026-12-05T10:00:00Z", status, trials);
    return {
      ...stored,
      result: {
        ...stored.result,
        target: "cluster",
        cluster: {
          context: "prod",
          server: "https://prod.example:6443",
          namespace: "team-a",
          kind: "Experiment",
          apiVersion: "kubeflow.org/v1beta1",
          name: "train-random-kube",
        },
      },
    };
  };

  it("says where it runs: the cluster's namespace in its row, the context and namespace in its tooltip", () => {
    const run = experimentNodes([], [onCluster("succeeded", done)], options)[0]!.runs[0]!;
    const row = presentExperimentRun(run);
    expect(row.description).toBe("Succeeded · best accuracy 0.86 · 6 trials · 6 succeeded · cluster team-a");
    expect(row.tooltip).toContain("On the cluster (context prod, namespace team-a)");
    expect(row.contextValue).toBe("parity:experimentRun+succeeded+cluster");
  });

  it("is not offered to resume once cancelled: Katib's Experiment is deleted", () => {
    const run = experimentNodes([], [onCluster("cancelled", [trial(1, "cancelled")])], options)[0]!.runs[0]!;
    expect(run.resumable).toBe(false);
    expect(presentExperimentRun(run).contextValue).toBe("parity:experimentRun+cancelled+cluster");
  });
});

describe("an experiment that ended while trials ran", () => {
  it("shows those trials as ended with it, never as still running", () => {
    const lost = experimentNodes(
      [],
      [
        experiment("train-random-old", "2026-12-05T08:00:00Z", "lost", [
          trial(1, "succeeded", 0.81),
          trial(2, "running"),
          trial(3, "pending"),
        ]),
      ],
      options,
    )[0]!.runs[0]!;
    expect(presentExperimentRun(lost).description).toBe(
      "Lost · best accuracy 0.81 · 3 trials · 1 succeeded, 1 lost, 1 pending",
    );
    const [, second] = trialNodes(lost);
    expect(presentTrial(second!).description).toMatch(/^Lost · /);
    expect(second!.summary.status).toBe("lost");
    expect(lost.resumable).toBe(true);
  });
});

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const menus = (
  JSON.parse(readFileSync("package.json", "utf8")) as { contributes: { menus: Record<string, MenuEntry[]> } }
).contributes.menus;

/** The commands of a view's row menus (inline or not) whose `viewItem` pattern matches the row. */
function menuFor(contextValue: string, inline: boolean): string[] {
  return menus["view/item/context"]!.filter((entry) => entry.when?.includes("view == parity.experiments"))
    .filter((entry) => (entry.group?.startsWith("inline") ?? false) === inline)
    .filter((entry) => {
      const pattern = /viewItem =~ \/(.*?)\/(?: |$)/.exec(entry.when ?? "")?.[1];
      return pattern !== undefined && new RegExp(pattern).test(contextValue);
    })
    .map((entry) => entry.command);
}

describe("the Experiments view's menus in package.json", () => {
  it("offer Tune inline on a notebook with an experiment, Resume on a cancelled experiment, Cancel on one of this window", () => {
    expect(menuFor("parity:experiment+tunable", true)).toEqual(["parity.tune"]);
    expect(menuFor("parity:experiment", true)).toEqual([]);
    expect(menuFor("parity:experimentRun+cancelled+local+resumable", true)).toEqual([
      "parity.resumeExperiment",
    ]);
    expect(menuFor("parity:experimentRun+succeeded+local", true)).toEqual([]);
    expect(menuFor("parity:experimentRun+running+local+cancellable", true)).toEqual([
      "parity.cancelExperiment",
    ]);
    expect(menuFor("parity:experimentRun+succeeded+local", false)).toEqual(["parity.showExperiment"]);
  });

  it("open a trial's logs and, once it ended, its diagnosis", () => {
    expect(menuFor("parity:trial+failed+run", false)).toEqual(["parity.openLogs", "parity.openDiagnosis"]);
    expect(menuFor("parity:trial+running+run", false)).toEqual(["parity.openLogs"]);
    expect(menuFor("parity:trial+pending", false)).toEqual([]);
  });

  it("offer Tune and Tune on Cluster in the menu of a notebook with an experiment", () => {
    expect(menuFor("parity:experiment+tunable", false)).toEqual(["parity.tune", "parity.tuneOnCluster"]);
    expect(menuFor("parity:experiment", false)).toEqual([]);
  });

  it("show Tune and Tune on Cluster on the notebook toolbar only for notebooks with an experiment", () => {
    for (const command of ["parity.tune", "parity.tuneOnCluster"]) {
      const entry = menus["notebook/toolbar"]!.find((each) => each.command === command);
      expect(entry?.when).toBe(
        "notebookType == jupyter-notebook && resourcePath in parity.experimentNotebooks",
      );
    }
    expect(readFileSync("src/views/experiments/experimentNotebooks.ts", "utf8")).toContain(
      '"parity.experimentNotebooks"',
    );
  });
});
