import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentJson } from "../../src/core/tuning/json";
import { logLinesIn, recordIn, said } from "./helpers/pipelineRuns";
import { until } from "../cluster/harness/context";
import { connectDocker } from "../../src/targets/docker/connection";
import { RUN_LABEL } from "../../src/targets/docker/runLabels";
import { copyWorkspace, interruptIfRunning, lastJson, repoRoot, runCli } from "./helpers/workspace";

// parity tune against the real Docker engine and the real search libraries (hyperopt, optuna,
// scikit-optimize from PyPI, in Parity's suggestion process): the fixture notebook
// (test/fixtures/workspaces/tuning/train.ipynb) prints an accuracy that is a known function of its
// parameters, so every trial's collected metric can be checked against the parameters it got.
// Nothing is mocked.
const TIMEOUT = 600_000;

let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
beforeAll(async () => {
  // The packaged CLI (bin/parity.js → dist/cli.js) is what a user's terminal runs and kills.
  await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
  workspace = await copyWorkspace("test/fixtures/workspaces/tuning");
}, 120_000);
/** The parity processes the tests started, stopped if a failed test left one running. */
const spawned: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(spawned.map(interruptIfRunning));
  await workspace?.remove();
});

const tune = (args: string[], signal?: AbortSignal, onErr?: (line: string) => void) =>
  runCli(["tune", "train.ipynb", ...args, "--no-report", "--json"], { cwd: workspace.dir, signal, onErr });

/** The notebook's accuracy after `epochs` epochs, as train.ipynb computes it. */
function accuracyOf(parameters: Record<string, string>, epoch = 3): number {
  const lr = Number(parameters.lr ?? 0.1);
  const layers = Number(parameters.layers ?? 1);
  const penalty = (parameters.optimizer ?? "sgd") === "adam" ? 0 : 0.02;
  return Number(
    (0.95 - 40 * (lr - 0.03) ** 2 - 0.05 * Math.abs(layers - 3) - penalty - 0.1 / epoch).toFixed(6),
  );
}

const time = (iso: string | undefined) => Date.parse(iso ?? "");

/** The containers (any state) of a run, on the real engine. */
async function containersOf(runId: string) {
  const { docker } = await connectDocker();
  return docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
}

/** Once every one of these trials has its container (a trial says running before its container exists). */
async function containersCreated(trials: { runId?: string }[]): Promise<void> {
  await until("the trials' containers", async () =>
    (await Promise.all(trials.map((trial) => containersOf(trial.runId!)))).every((each) => each.length === 1)
      ? true
      : undefined,
  );
}

/**
 * `parity tune train.ipynb <args>` as a process of its own, as a terminal runs it; resolved once its
 * experiment's record has three trials running: the experiment's id, and those trials.
 */
async function startTune(args: string[]) {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "bin", "parity.js"), "tune", "train.ipynb", ...args, "--no-report"],
    { cwd: workspace.dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  spawned.push(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const { experimentId, running } = await until("three trials running", async () => {
    const id = /Experiment (\S+) started/.exec(out)?.[1];
    if (!id) return undefined;
    const record = await recordIn(workspace.dir, id).catch(() => undefined);
    const running = record?.experiment?.trials.filter((trial) => trial.status === "running") ?? [];
    return running.length === 3 ? { experimentId: id, running } : undefined;
  });
  return { child, exited, experimentId, running, output: () => out };
}

describe("parity tune on local Docker", () => {
  it(
    "runs Katib's random search as trials under the profile's limits, the first alone, then three at a time, each metric read as Katib's StdOut collector reads it",
    async () => {
      const run = await tune(["--experiment", "random.yaml"]);
      expect(run.code, said(run)).toBe(0);
      const result = lastJson<ExperimentJson>(run);
      expect(result.status).toBe("succeeded");
      expect(result.reason).toBe("ExperimentMaxTrialsReached");
      expect(result.trials).toHaveLength(6);
      const record = await recordIn(workspace.dir, result.experimentId);
      expect(record).toMatchObject({ kind: "experiment", target: "local", status: "succeeded" });
      const trials = record.experiment!.trials;
      for (const trial of result.trials) {
        expect(trial.status, trial.name).toBe("succeeded");
        // Within the feasible space, ints as ints, categorical from the list.
        expect(Number(trial.parameters.lr)).toBeGreaterThanOrEqual(0.01);
        expect(Number(trial.parameters.lr)).toBeLessThanOrEqual(0.05);
        expect(trial.parameters.layers).toMatch(/^[1-4]$/);
        expect(["sgd", "adam"]).toContain(trial.parameters.optimizer);
        // The objective is the notebook's own figure for these parameters: the parameters reached
        // its parameters cell, and the collector read the max over the epochs (maximize's strategy).
        expect(trial.objective).toBeCloseTo(accuracyOf(trial.parameters), 5);
        const accuracy = trial.metrics.find((metric) => metric.name === "accuracy")!;
        expect(Number(accuracy.min)).toBeCloseTo(accuracyOf(trial.parameters, 1), 5);
        expect(Number(accuracy.latest)).toBeCloseTo(accuracyOf(trial.parameters, 3), 5);
        const loss = trial.metrics.find((metric) => metric.name === "loss")!;
        expect(Number(loss.latest)).toBeCloseTo(1 - accuracyOf(trial.parameters), 5);
        // Each trial is a job run of its own, with the profile's limit, pointing at its experiment.
        const child = await recordIn(workspace.dir, trial.runId!);
        expect(child).toMatchObject({
          parent: result.experimentId,
          trial: trial.name,
          status: "succeeded",
          memoryLimitBytes: 128 * 1024 * 1024,
        });
        expect((await logLinesIn(workspace.dir, trial.runId!)).join("\n")).toContain("epoch 3: accuracy=");
        // Trials side by side do not share an outputs folder: each has its own, in its run's folder.
        expect(child.outputsDir).toContain(`${trial.runId}${path.sep}outputs`);
      }
      const best = result.trials.reduce((a, b) => (b.objective! > a.objective! ? b : a));
      expect(result.best).toEqual({
        trial: best.name,
        parameters: best.parameters,
        objective: best.objective,
      });
      // The doctor: the first trial ended before any other started; then up to three side by side.
      const [first, ...others] = trials;
      for (const other of others)
        expect(time(other.startedAt)).toBeGreaterThanOrEqual(time(first!.finishedAt));
      const overlapping = others.filter((other) =>
        others.some(
          (each) =>
            each !== other &&
            time(each.startedAt) < time(other.finishedAt) &&
            time(other.startedAt) < time(each.finishedAt),
        ),
      );
      expect(overlapping.length).toBeGreaterThan(0);
      const atOnce = Math.max(
        ...others.map(
          (other) =>
            others.filter(
              (each) =>
                time(each.startedAt) <= time(other.startedAt) &&
                time(other.startedAt) < time(each.finishedAt),
            ).length,
        ),
      );
      expect(atOnce).toBeLessThanOrEqual(3);
      expect(result.suggestion?.calls).toBeGreaterThan(0);
      // The experiment's own log says how it went, trial by trial (parity logs <experiment>).
      const progress = (await logLinesIn(workspace.dir, result.experimentId)).join("\n");
      expect(progress).toContain(`${best.name}: succeeded`);
      expect(progress).toContain("Doctor: running");
    },
    TIMEOUT,
  );

  it(
    "the doctor stops the experiment after one trial when its metric is printed as accuracy: 0.9, naming the line and the fix",
    async () => {
      const run = await tune(["--experiment", "random.yaml", "-p", "report=colon"]);
      expect(run.code, said(run)).toBe(1);
      const result = lastJson<ExperimentJson>(run);
      expect(result.status).toBe("failed");
      expect(result.reason).toBe("DoctorRefused");
      expect(result.trials).toHaveLength(1);
      expect(result.trials[0]!.status).toBe("metrics-unavailable");
      const [diagnosis] = result.diagnosis;
      expect(diagnosis?.code).toBe("DoctorMetricNotCollected");
      expect(diagnosis?.message).toMatch(/accuracy: 0\.\d+/);
      expect(diagnosis?.message).toContain("the other 5");
      expect(diagnosis?.fix).toContain("accuracy=");
      // --no-doctor starts three at once: Katib records each "metrics unavailable", counts them as
      // failed, and fails the experiment at maxFailedTrialCount (3), stopping any trial still running.
      const blind = lastJson<ExperimentJson>(
        await tune(["--experiment", "random.yaml", "-p", "report=colon", "--no-doctor"]),
      );
      expect(blind.status).toBe("failed");
      expect(blind.reason).toBe("ExperimentFailed");
      const unavailable = blind.trials.filter((trial) => trial.status === "metrics-unavailable");
      expect(unavailable.length).toBeGreaterThanOrEqual(3);
      expect(blind.trials.every((trial) => ["metrics-unavailable", "cancelled"].includes(trial.status))).toBe(
        true,
      );
    },
    TIMEOUT,
  );

  it(
    "the doctor stops an experiment whose first trial runs out of memory at the profile's limit",
    async () => {
      const run = await tune(["--experiment", "random.yaml", "-p", "grab_mb=400"]);
      expect(run.code, said(run)).toBe(1);
      const result = lastJson<ExperimentJson>(run);
      expect(result.trials).toHaveLength(1);
      expect(result.trials[0]!.status).toBe("failed");
      expect(result.diagnosis[0]?.code).toBe("DoctorTrialOutOfMemory");
      expect(result.diagnosis[0]?.message).toContain("128 MiB");
    },
    TIMEOUT,
  );

  it(
    "reads a File collector's JSON lines as Katib does: number values are skipped (the doctor says so), string values are read",
    async () => {
      const numbers = await tune(["--experiment", "json.yaml", "-p", "report=json-numbers"]);
      expect(numbers.code, said(numbers)).toBe(1);
      const refused = lastJson<ExperimentJson>(numbers);
      expect(refused.diagnosis[0]?.code).toBe("DoctorMetricNotCollected");
      expect(refused.diagnosis[0]?.message).toContain("/var/log/katib/metrics.json");
      expect(refused.diagnosis[0]?.fix).toMatch(/string/i);

      const strings = await tune(["--experiment", "json.yaml", "-p", "report=json-strings"]);
      expect(strings.code, said(strings)).toBe(0);
      const result = lastJson<ExperimentJson>(strings);
      expect(result.trials).toHaveLength(2);
      for (const trial of result.trials) expect(trial.objective).toBeCloseTo(accuracyOf(trial.parameters), 5);
    },
    TIMEOUT,
  );

  it(
    "ends the experiment when the goal is reached (tpe, minimize), the notebook's other parameters fixed with -p",
    async () => {
      const run = await tune(["--experiment", "goal.yaml", "-p", "layers=3", "-p", "optimizer=adam"]);
      expect(run.code, said(run)).toBe(0);
      const result = lastJson<ExperimentJson>(run);
      expect(result.reason).toBe("ExperimentGoalReached");
      expect(result.trials).toHaveLength(1);
      expect(result.best?.objective).toBeLessThanOrEqual(0.2);
      // Refused before it starts, --json's last line is still the result, with the reason.
      const missing = await tune(["--experiment", "nope.yaml"]);
      expect(missing.code).toBe(1);
      const refusal = lastJson<ExperimentJson>(missing);
      expect(refusal).toMatchObject({ experimentId: null, status: "failed", trials: [] });
      expect(refusal.diagnosis[0]?.message).toContain("nope.yaml does not exist");
      // A parameter the experiment searches cannot be fixed.
      const fixed = await tune(["--experiment", "goal.yaml", "-p", "lr=0.03"]);
      expect(fixed.code).toBe(1);
      expect(said(fixed)).toContain("The experiment searches lr");
    },
    TIMEOUT,
  );

  it(
    "grid search (optuna) runs every point of the grid once, then ends: the search space is used up",
    async () => {
      const run = await tune(["--experiment", "grid.yaml", "--no-doctor"]);
      expect(run.code, said(run)).toBe(0);
      const result = lastJson<ExperimentJson>(run);
      expect(result.reason).toBe("ExperimentSuggestionEndReached");
      const points = result.trials.map(
        (trial) => `${Number(trial.parameters.lr)}/${trial.parameters.optimizer}`,
      );
      expect(points.sort()).toEqual(["0.02/adam", "0.02/sgd", "0.04/adam", "0.04/sgd"]);
    },
    TIMEOUT,
  );

  it(
    "Ctrl-C cancels the trials running and keeps the others; --resume runs what did not end and goes on to the end",
    async () => {
      const abort = new AbortController();
      let started = 0;
      const cancelled = await tune(
        ["--experiment", "random.yaml", "--no-doctor", "-p", "pause=2"],
        abort.signal,
        (line) => {
          if (/: started with/.test(line) && ++started === 3) setTimeout(() => abort.abort(), 1_500);
        },
      );
      expect(cancelled.code, said(cancelled)).toBe(130);
      const stopped = lastJson<ExperimentJson>(cancelled);
      expect(stopped.status).toBe("cancelled");
      expect(stopped.trials.some((trial) => trial.status === "cancelled")).toBe(true);
      for (const trial of stopped.trials.filter((each) => each.status === "cancelled")) {
        expect((await recordIn(workspace.dir, trial.runId!)).status).toBe("cancelled");
      }

      const resumed = await tune(["--resume", stopped.experimentId, "-p", "pause=0"]);
      expect(resumed.code).toBe(1);
      expect(said(resumed)).toContain("keeps its own experiment file and -p values");
      const done = await tune(["--resume", stopped.experimentId]);
      expect(done.code, said(done)).toBe(0);
      const result = lastJson<ExperimentJson>(done);
      expect(result.experimentId).toBe(stopped.experimentId);
      expect(result.trials).toHaveLength(6);
      expect(result.trials.every((trial) => trial.status === "succeeded")).toBe(true);
      // The cancelled trials ran again with the parameters they had been given.
      expect(result.trials.slice(0, stopped.trials.length).map((trial) => trial.parameters)).toEqual(
        stopped.trials.map((trial) => trial.parameters),
      );
    },
    TIMEOUT,
  );

  it(
    "kill -9 mid-experiment: --resume keeps the trials whose runs ended after the kill (read from their output) and runs the rest",
    async () => {
      const { child, exited, experimentId, running } = await startTune([
        "--experiment",
        "random.yaml",
        "--no-doctor",
        "-p",
        "pause=1",
      ]);
      // Killed before a trial's container exists, that trial would have none to end by itself.
      await containersCreated(running);
      child.kill("SIGKILL");
      await exited;
      const killed = await recordIn(workspace.dir, experimentId);
      expect(killed.experiment!.trials.filter((trial) => trial.status === "running")).toHaveLength(3);
      // The trials' containers go on without their follower and end by themselves (however long
      // that takes on a loaded machine: a container still running at --resume is stopped, and its
      // trial runs again, which is not what this test is about).
      await until(
        "the trials' containers to end by themselves",
        async () => {
          const live = await Promise.all(running.map((trial) => containersOf(trial.runId!)));
          return live.every((each) => each.length > 0 && each.every((c) => c.State === "exited"))
            ? true
            : undefined;
        },
        120_000,
      );

      const resumed = await tune(["--resume", experimentId]);
      expect(resumed.code, said(resumed)).toBe(0);
      const result = lastJson<ExperimentJson>(resumed);
      expect(result.trials).toHaveLength(6);
      expect(result.trials.every((trial) => trial.status === "succeeded")).toBe(true);
      for (const trial of running) {
        const now = result.trials.find((each) => each.name === trial.name)!;
        // Not run again: the same run, its objective read from that run's output.
        expect(now.runId).toBe(trial.runId);
        expect(now.objective).toBeCloseTo(accuracyOf(now.parameters), 5);
      }
    },
    TIMEOUT,
  );

  it(
    "kill -9 while its trials run: the next parity command stops their containers, gives each trial its run's end, records the experiment lost and says how to resume it",
    async () => {
      const { child, exited, experimentId, running } = await startTune([
        "--experiment",
        "random.yaml",
        "--no-doctor",
        "-p",
        "pause=20",
      ]);
      await containersCreated(running);
      child.kill("SIGKILL");
      await exited;

      const next = await runCli(["logs", experimentId], { cwd: workspace.dir });
      expect(next.code, said(next)).toBe(0);
      const told = next.err.join("\n");
      expect(told).toContain(
        `parity: run ${experimentId} was left running by a process that went away; it is recorded lost now (parity logs ${experimentId}). Resume it: parity tune train.ipynb --resume ${experimentId}`,
      );
      // Its trials are settled with it, and said in its line, not one line each.
      for (const trial of running) expect(told).not.toContain(`run ${trial.runId} was left`);

      const record = await recordIn(workspace.dir, experimentId);
      expect(record).toMatchObject({ status: "lost", exitCode: null });
      expect(record.experiment!.trials.filter((trial) => trial.status === "running")).toEqual([]);
      for (const trial of running) {
        // Still running when settled: stopped, each trial's run and the trial itself cancelled.
        expect((await recordIn(workspace.dir, trial.runId!)).status, trial.name).toBe("cancelled");
        expect(record.experiment!.trials.find((each) => each.name === trial.name)!.status).toBe("cancelled");
        expect(await containersOf(trial.runId!), trial.name).toEqual([]);
      }
      const [interrupted] = record.diagnosis;
      expect(interrupted).toMatchObject({ code: "ExperimentInterrupted", severity: "warning" });
      expect(interrupted!.message).toContain(
        `The process that ran the experiment (pid ${child.pid}) went away`,
      );
      expect(interrupted!.message).toContain("it last wrote its record at ");
      expect(interrupted!.message).toContain("Of the 3 trials running then, 3 were stopped");
      expect(interrupted!.fix).toContain(`parity tune train.ipynb --resume ${experimentId}`);
    },
    TIMEOUT,
  );

  it(
    "parity delete of a running experiment: its process stops the trials' containers as Ctrl-C does and records it cancelled; --resume finishes it",
    async () => {
      const { child, exited, experimentId, running } = await startTune([
        "--experiment",
        "random.yaml",
        "--no-doctor",
        "-p",
        "pause=5",
      ]);
      await containersCreated(running);

      const deleted = await runCli(["delete", experimentId], { cwd: workspace.dir });
      expect(deleted.code, said(deleted)).toBe(0);
      const told = deleted.out.join("\n");
      expect(told).toContain(
        `Stopped run ${experimentId}: it is recorded cancelled by the process that ran it (pid ${child.pid}). The experiment was cancelled: the 3 trials running were stopped and their containers removed.`,
      );
      expect(told).toContain(`Go on with it: parity tune train.ipynb --resume ${experimentId}`);
      expect(await exited).toBe(130);
      for (const trial of running) {
        expect(await containersOf(trial.runId!), trial.name).toEqual([]);
        expect((await recordIn(workspace.dir, trial.runId!)).status, trial.name).toBe("cancelled");
      }
      const cancelled = await recordIn(workspace.dir, experimentId);
      expect(cancelled.status).toBe("cancelled");
      expect(cancelled.experiment!.trials.filter((trial) => trial.status === "running")).toEqual([]);

      // The request is not the resumed experiment's: it runs to its end.
      const done = await tune(["--resume", experimentId]);
      expect(done.code, said(done)).toBe(0);
      const result = lastJson<ExperimentJson>(done);
      expect(result.trials).toHaveLength(6);
      expect(result.trials.every((trial) => trial.status === "succeeded")).toBe(true);
      for (const trial of running) {
        // The stopped trials ran again, with the parameters they had.
        const again = result.trials.find((each) => each.name === trial.name)!;
        expect(again.runId).not.toBe(trial.runId);
        expect(again.parameters).toEqual(
          Object.fromEntries(trial.parameters.map(({ name, value }) => [name, value])),
        );
      }
    },
    TIMEOUT,
  );
});
