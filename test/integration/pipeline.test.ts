import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDocker } from "../../src/targets/docker/connection";
import { RUN_LABEL } from "../../src/targets/docker/runLabels";
import { logLinesIn, recordIn, said, stepOf, type PipelineJson } from "./helpers/pipelineRuns";
import { copyWorkspace, lastJson, repoRoot, runCli } from "./helpers/workspace";

// parity pipeline run against the real Docker engine: a notebook tagged as Kale tags it
// (test/fixtures/workspaces/kale-pipeline), each step a container under its limits. Nothing is mocked.
const TIMEOUT = 600_000;

let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
beforeAll(async () => {
  workspace = await copyWorkspace("test/fixtures/workspaces/kale-pipeline");
});
afterAll(async () => {
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

describe("Ctrl-C in parity pipeline run", () => {
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
  }, 120_000);

  it(
    "stops every running step's container, records the pipeline cancelled and the steps after them not run",
    async () => {
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
      let output = "";
      const collect = (chunk: Buffer) => (output += chunk.toString());
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const deadline = Date.now() + 300_000;
      while (!(
        /squares: started \(run (\S+)\)/.test(output) && /total: started \(run (\S+)\)/.test(output)
      )) {
        if (Date.now() > deadline) throw new Error(`the steps never started:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const running = [/squares: started \(run (\S+)\)/, /total: started \(run (\S+)\)/].map(
        (pattern) => pattern.exec(output)![1]!,
      );
      const { docker } = await connectDocker();
      const containersOf = async (runId: string) =>
        (await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).length;
      // Both containers exist before the interrupt.
      await until(async () => (await Promise.all(running.map(containersOf))).every((count) => count === 1));
      const interrupted = Date.now();
      child.kill("SIGINT");
      expect(await exited, output).toBe(130);
      expect(Date.now() - interrupted).toBeLessThan(30_000);
      for (const runId of running) expect(await containersOf(runId), runId).toBe(0);
      const runId = /^(numbers-\d{8}-\d{6}-[0-9a-f]{4}): cancelled/m.exec(output)?.[1];
      expect(runId, output).toBeDefined();
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
});

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
