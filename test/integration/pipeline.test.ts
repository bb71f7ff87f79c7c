import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { targetNamed } from "../../src/app/targets";
import { connectDocker } from "../../src/targets/docker/connection";
import { RUN_LABEL } from "../../src/targets/docker/runLabels";
import { logLinesIn, recordIn, said, stepOf, type PipelineJson } from "./helpers/pipelineRuns";
import { copyWorkspace, interruptIfRunning, lastJson, repoRoot, runCli } from "./helpers/workspace";

// parity pipeline run against the real Docker engine: a notebook tagged as Kale tags it
// (test/fixtures/workspaces/kale-pipeline), each step a container under its limits. Nothing is mocked.
const TIMEOUT = 600_000;

let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
beforeAll(async () => {
  workspace = await copyWorkspace("test/fixtures/workspaces/kale-pipeline");
});
/** The parity processes the tests started, stopped if a failed test left one running. */
const spawned: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(spawned.map(interruptIfRunning));
  await workspace?.remove();
});

const pipeline = (...args: string[]) => runCli(["pipeline", ...args, "--json"], { cwd: workspace.dir });
const record = (runId: string) => recordIn(workspace.dir, runId);
const logsOf = (runId: string) => logLinesIn(workspace.dir, runId);
const step = stepOf;

describe("parity pipeline run on local Docker", () => {
  it(
    "runs the independent steps side by side, passes variables between steps, never runs a skip cell, and reuses every step the second time",
    async () => {
      const cold = await pipeline("run", "numbers.ipynb", "-p", "pause=3");
      expect(cold.code, said(cold)).toBe(0);
      const run = lastJson<PipelineJson>(cold);
      expect(run.steps.map((each) => [each.name, each.status])).toEqual([
        ["load", "succeeded"],
        ["squares", "succeeded"],
        ["total", "succeeded"],
        ["report", "succeeded"],
      ]);
      // squares and total both need only load: each started before the other ended.
      const [squares, total] = [step(run, "squares"), step(run, "total")];
      expect(Date.parse(squares.startedAt!)).toBeLessThan(Date.parse(total.finishedAt!));
      expect(Date.parse(total.startedAt!)).toBeLessThan(Date.parse(squares.finishedAt!));
      // The report's numbers come from variables made by load, squares and total (size = 5).
      expect(await logsOf(step(run, "report").runId!)).toContain(
        'report {"sum_of_squares": 30, "total": 10}',
      );
      const everything = (await Promise.all(run.steps.map((each) => logsOf(each.runId!)))).flat();
      expect(everything.join("\n")).not.toContain("a skip cell ran");
      // The pipeline's record and its steps' records point at each other.
      const parent = await record(run.runId);
      expect(parent).toMatchObject({ kind: "pipeline", status: "succeeded", exitCode: 0 });
      expect(parent.children).toEqual(expect.arrayContaining(run.steps.map((each) => each.runId)));
      const child = await record(squares.runId!);
      expect(child).toMatchObject({
        parent: run.runId,
        step: "squares",
        status: "succeeded",
        memoryLimitBytes: 256 * 1024 * 1024,
      });

      const warm = await pipeline("run", "numbers.ipynb", "-p", "pause=3");
      expect(warm.code, said(warm)).toBe(0);
      const again = lastJson<PipelineJson>(warm);
      expect(again.steps.map((each) => [each.name, each.status, each.runId])).toEqual(
        run.steps.map((each) => [each.name, "cached", each.runId]),
      );
      expect(again.durationMs).toBeLessThan(run.durationMs);

      // Another parameter value runs them all again; --no-cache runs them even unchanged.
      const other = lastJson<PipelineJson>(await pipeline("run", "numbers.ipynb", "-p", "size=3"));
      expect(other.steps.every((each) => each.status === "succeeded")).toBe(true);
      expect(await logsOf(step(other, "report").runId!)).toContain(
        'report {"sum_of_squares": 5, "total": 3}',
      );
      const forced = lastJson<PipelineJson>(
        await pipeline("run", "numbers.ipynb", "-p", "size=3", "--no-cache"),
      );
      expect(forced.steps.map((each) => each.status)).toEqual([
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
      ]);
    },
    TIMEOUT,
  );

  it(
    "kills a step over its limit: tag's memory, leaves the step after it not run, and finishes the other branch",
    async () => {
      const failed = await pipeline("run", "memory.ipynb");
      expect(failed.code, said(failed)).toBe(1);
      const run = lastJson<PipelineJson>(failed);
      expect(step(run, "hog")).toMatchObject({ status: "failed", oomKilled: true, exitCode: 137 });
      expect(step(run, "hog").reason).toContain("128 MiB");
      expect(step(run, "after")).toMatchObject({
        status: "not-run",
        reason: "hog did not succeed",
        runId: null,
      });
      expect(step(run, "other").status).toBe("succeeded");
      const parent = await record(run.runId);
      expect(parent).toMatchObject({ kind: "pipeline", status: "failed", oomKilled: true });
      expect(parent.diagnosis[0]?.message).toContain("The step hog failed");
      // The step's own record has the OOM diagnosis at its own limit, not the profile's 256 MiB.
      const hog = await record(step(run, "hog").runId!);
      expect(hog).toMatchObject({ status: "failed", oomKilled: true, memoryLimitBytes: 128 * 1024 * 1024 });
      expect(hog.diagnosis.map((item) => item.code)).toContain("OOMKilled");
    },
    TIMEOUT,
  );

  it("refuses a parameter the pipeline does not have, before building anything", async () => {
    const refused = await pipeline("run", "numbers.ipynb", "-p", "sizes=3");
    expect(refused.code).toBe(1);
    expect(refused.err.join("\n")).toContain("sizes");
    expect(said(refused)).not.toContain("Building");
  });
});

/**
 * `parity pipeline run numbers.ipynb` as a process of its own, as a terminal runs it, its steps
 * squares and total paused a minute each; resolved once both have their containers: their runs,
 * and the pipeline run's id.
 */
async function startPipeline() {
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, "bin", "parity.js"),
      "pipeline",
      "run",
      "numbers.ipynb",
      "-p",
      "pause=60",
      "--no-cache",
    ],
    { cwd: workspace.dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  spawned.push(child);
  let output = "";
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const started = [/squares: started \(run (\S+)\)/, /total: started \(run (\S+)\)/];
  const deadline = Date.now() + 300_000;
  while (!started.every((pattern) => pattern.test(output))) {
    if (Date.now() > deadline) throw new Error(`the steps never started:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const running = started.map((pattern) => pattern.exec(output)![1]!);
  // Both containers exist before the test goes on.
  await until(async () => (await Promise.all(running.map(containersOf))).every((count) => count === 1));
  const pipelineId = (await record(running[0]!)).parent!;
  return { child, exited, running, pipelineId, output: () => output };
}

/** How many containers (any state) a run has on the real engine. */
async function containersOf(runId: string): Promise<number> {
  const { docker } = await connectDocker();
  return (await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).length;
}

describe("stopping a parity pipeline run from outside its process", () => {
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
  }, 120_000);

  it(
    "Ctrl-C stops every running step's container, records the pipeline cancelled and the steps after them not run",
    async () => {
      const { child, exited, running, output } = await startPipeline();
      const interrupted = Date.now();
      child.kill("SIGINT");
      expect(await exited, output()).toBe(130);
      expect(Date.now() - interrupted).toBeLessThan(30_000);
      for (const runId of running) expect(await containersOf(runId), runId).toBe(0);
      const runId = /^(numbers-\d{8}-\d{6}-[0-9a-f]{4}): cancelled/m.exec(output())?.[1];
      expect(runId, output()).toBeDefined();
      const parent = await record(runId!);
      expect(parent.status).toBe("cancelled");
      expect(parent.steps?.map((each) => [each.name, each.status])).toEqual([
        ["load", "succeeded"],
        ["squares", "cancelled"],
        ["total", "cancelled"],
        ["report", "not-run"],
      ]);
      for (const stepRun of running) expect((await record(stepRun)).status).toBe("cancelled");
    },
    TIMEOUT,
  );

  it(
    "parity delete: its process stops the running steps' containers as Ctrl-C does and records the pipeline cancelled; the command says so",
    async () => {
      const { child, exited, running, pipelineId, output } = await startPipeline();
      const deleted = await runCli(["delete", pipelineId], { cwd: workspace.dir });
      expect(deleted.code, said(deleted)).toBe(0);
      expect(deleted.out.join("\n")).toContain(
        `Stopped run ${pipelineId}: it is recorded cancelled by the process that ran it (pid ${child.pid}). The pipeline run was cancelled: squares and total were stopped and their containers removed, and the steps not started were not run. Run it again when ready: parity pipeline run numbers.ipynb`,
      );
      expect(await exited, output()).toBe(130);
      for (const runId of running) {
        expect(await containersOf(runId), runId).toBe(0);
        expect((await record(runId)).status, runId).toBe("cancelled");
      }
      const parent = await record(pipelineId);
      expect(parent.status).toBe("cancelled");
      expect(parent.steps?.map((each) => [each.name, each.status])).toEqual([
        ["load", "succeeded"],
        ["squares", "cancelled"],
        ["total", "cancelled"],
        ["report", "not-run"],
      ]);
    },
    TIMEOUT,
  );

  it(
    "kill -9 mid-step, then the pipeline run and its steps settled at the same moment (as a window's Runs view and another command may): one end each, none left running",
    async () => {
      const { child, exited, running, pipelineId } = await startPipeline();
      child.kill("SIGKILL");
      await exited;
      const context = { env: process.env, cwd: workspace.dir, signal: new AbortController().signal };
      const local = targetNamed("local");
      const stored = async (runId: string) => ({
        dir: path.join(workspace.dir, ".parity", "runs", runId),
        result: await record(runId),
      });
      const settled = await Promise.allSettled(
        [pipelineId, ...running].map(async (runId) => local.reconcile(context, await stored(runId))),
      );
      // Each is settled by one of them; one that found another settling it says so.
      for (const each of settled) {
        if (each.status === "rejected") expect(each.reason).toMatchObject({ code: "RunFollowedElsewhere" });
      }
      const parent = await record(pipelineId);
      expect(parent.status).toBe("lost");
      expect(parent.steps?.map((each) => [each.name, each.status])).toEqual([
        ["load", "succeeded"],
        ["squares", "cancelled"],
        ["total", "cancelled"],
        ["report", "not-run"],
      ]);
      for (const runId of running) {
        expect((await record(runId)).status, runId).toBe("cancelled");
        expect(await containersOf(runId), runId).toBe(0);
      }
    },
    TIMEOUT,
  );

  it(
    "kill -9 mid-step: the next parity command stops the steps' containers, records each step's end and the pipeline lost, and says how to run it again",
    async () => {
      const { child, exited, running, pipelineId } = await startPipeline();
      child.kill("SIGKILL");
      await exited;
      expect((await record(pipelineId)).status).toBe("running");

      const next = await runCli(["logs", pipelineId], { cwd: workspace.dir });
      expect(next.code, said(next)).toBe(0);
      const told = next.err.join("\n");
      expect(told).toContain(
        `parity: run ${pipelineId} was left running by a process that went away; it is recorded lost now (parity logs ${pipelineId}). Run it again: parity pipeline run numbers.ipynb`,
      );
      for (const runId of running) expect(told).not.toContain(`run ${runId} was left`);

      const parent = await record(pipelineId);
      expect(parent).toMatchObject({ status: "lost", exitCode: null });
      expect(parent.steps?.map((each) => [each.name, each.status])).toEqual([
        ["load", "succeeded"],
        ["squares", "cancelled"],
        ["total", "cancelled"],
        ["report", "not-run"],
      ]);
      for (const runId of running) {
        expect(await containersOf(runId), runId).toBe(0);
        expect((await record(runId)).status, runId).toBe("cancelled");
      }
      expect(parent.diagnosis[0]).toMatchObject({ code: "PipelineInterrupted", severity: "warning" });
      expect(parent.diagnosis[0]!.message).toContain(
        `The process that ran the pipeline run (pid ${child.pid}) went away before it ended`,
      );
      expect(parent.diagnosis[0]!.message).toContain(
        "Of the 2 steps running then, squares was stopped and total was stopped; the steps not started were not run.",
      );
    },
    TIMEOUT,
  );
});

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
