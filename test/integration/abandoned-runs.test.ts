import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { listRuns, readRunLogs, type StoredRun } from "../../src/app/store";
import { targetNamed } from "../../src/app/targets";
import { connectDocker } from "../../src/targets/docker/connection";
import { RUN_LABEL } from "../../src/targets/docker/runLabels";
import { copyWorkspace, repoRoot, runCli } from "./helpers/workspace";

// Records that never lie, against the real Docker engine: the packaged CLI (bin/parity.js →
// dist/cli.js) is killed as a user's terminal kills it, and the next parity command must say how the
// run really ended and leave no container of it behind. Nothing here is mocked.
const TIMEOUT = 600_000;

const workspaces: Awaited<ReturnType<typeof copyWorkspace>>[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((workspace) => workspace.remove()));
});

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
}, 120_000);

/** `parity run <notebook>` as a separate process, resolved once it printed "│ started" and recorded it. */
async function startRun(fixture: string, notebook: string) {
  const workspace = await copyWorkspace(fixture);
  workspaces.push(workspace);
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "bin", "parity.js"), "run", notebook, "--json", "--no-report"],
    { cwd: workspace.dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("│ started")) resolve();
    });
    void exited.then(() => reject(new Error(`parity run ended before the job started:\n${stderr}`)));
  });
  const [run] = await listRuns(workspace.dir);
  if (!run) throw new Error("the run has no record");
  // Printed is not yet written: the record's log file has the line before the process is killed.
  await until("the line in the run's log", async () =>
    (await readRunLogs(run)).some((line) => line.text === "started") ? true : undefined,
  );
  return { workspace, child, exited, run, stderr: () => stderr };
}

async function kill9(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  child.kill("SIGKILL");
  await exited;
}

async function containersOf(runId: string) {
  const { docker } = await connectDocker();
  return docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
}

async function recordOf(workspaceDir: string, runId: string): Promise<StoredRun> {
  const run = (await listRuns(workspaceDir)).find((each) => each.result.runId === runId);
  if (!run) throw new Error(`no record of ${runId}`);
  return run;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("a run whose parity process is gone", () => {
  it(
    "kill -9 while its container runs: the next parity command stops the container and records the run cancelled",
    async () => {
      const { workspace, child, exited, run } = await startRun(
        "test/fixtures/workspaces/sleeper",
        "sleep.ipynb",
      );
      await kill9(child, exited);
      // What used to stay forever: "running", and the container going on.
      expect((await recordOf(workspace.dir, run.result.runId)).result.status).toBe("running");
      expect((await containersOf(run.result.runId)).map((container) => container.State)).toEqual(["running"]);

      const logs = await runCli(["logs", run.result.runId], { cwd: workspace.dir });
      expect(logs.code).toBe(0);
      expect(logs.err.join("\n")).toContain(
        `parity: run ${run.result.runId} was left running by a process that went away; it is recorded cancelled now`,
      );
      expect(logs.out).toContain("started");

      const after = await recordOf(workspace.dir, run.result.runId);
      expect(after.result).toMatchObject({ status: "cancelled", exitCode: null });
      expect(after.result.finishedAt).toBeDefined();
      expect(after.result.diagnosis[0]).toMatchObject({ code: "FollowerGone", severity: "warning" });
      expect(after.result.diagnosis[0]!.message).toContain(`(pid ${child.pid})`);
      expect(existsSync(path.join(after.dir, "follower.json"))).toBe(false);
      expect(await containersOf(run.result.runId)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "kill -9, then the container runs out of memory by itself: the record has its real exit code, OOM state and the lines written after",
    async () => {
      const { workspace, child, exited, run } = await startRun(
        "test/fixtures/workspaces/late-oom",
        "late.ipynb",
      );
      await kill9(child, exited);
      // The job goes on without its follower: it writes more lines, then is OOM-killed at its limit.
      await writeFile(path.join(workspace.dir, "go"), "");
      await until("the container to end", async () => {
        const [container] = await containersOf(run.result.runId);
        return container && container.State !== "running" ? container : undefined;
      });

      const logs = await runCli(["logs", run.result.runId], { cwd: workspace.dir });
      expect(logs.code).toBe(0);
      // The record is completed before `parity logs` reads it: the lines written after the kill are there.
      expect(logs.out).toEqual(["started", "after the kill 0", "after the kill 1", "after the kill 2"]);
      expect(logs.err).toContain("to stderr");

      const after = await recordOf(workspace.dir, run.result.runId);
      expect(after.result).toMatchObject({ status: "failed", exitCode: 137, oomKilled: true });
      // Killed for memory, it could not report its peak: it reached its limit, and the record says so.
      expect(after.result).toMatchObject({
        peakMemoryBytes: 128 * 1024 * 1024,
        peakMemorySource: "oom-limit",
      });
      expect(after.result.diagnosis.map((item) => item.code)).toEqual(["OOMKilled", "FollowerGone"]);
      expect(after.result.diagnosis[0]!.message).toContain("128 MiB");
      // Each line once, in the record, in the order the notebook wrote them: its Python's stdout and
      // stderr reach the engine through one pipe (TAGGED_OUTPUT_ENV), read back when settling too.
      const recorded = await readRunLogs(after);
      expect(recorded.map((line) => `${line.stream} ${line.text}`)).toEqual([
        "stdout started",
        "stdout after the kill 0",
        "stdout after the kill 1",
        "stdout after the kill 2",
        "stderr to stderr",
      ]);
      expect(await containersOf(run.result.runId)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "three quick Ctrl-C: the record says cancelled, and no container of the run remains",
    async () => {
      const { workspace, child, exited, run } = await startRun(
        "test/fixtures/workspaces/sleeper",
        "sleep.ipynb",
      );
      child.kill("SIGINT");
      child.kill("SIGINT");
      child.kill("SIGINT");
      expect(await exited).toBe(130);

      const logs = await runCli(["logs", run.result.runId], { cwd: workspace.dir });
      expect(logs.code).toBe(0);
      const after = await recordOf(workspace.dir, run.result.runId);
      expect(after.result.status).toBe("cancelled");
      // The third Ctrl-C quits at once: the process recorded the cancel itself (Cancelled), or, when
      // it quit first (a loaded machine), the next command did and says its process went away.
      expect(after.result.diagnosis.map((item) => item.code)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(Cancelled|FollowerGone)$/)]),
      );
      expect(await containersOf(run.result.runId)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "nothing remains of it: the record says lost, explained, and keeps the lines it had",
    async () => {
      const { workspace, child, exited, run } = await startRun(
        "test/fixtures/workspaces/sleeper",
        "sleep.ipynb",
      );
      await kill9(child, exited);
      const { docker } = await connectDocker();
      for (const container of await containersOf(run.result.runId)) {
        await docker.getContainer(container.Id).remove({ force: true });
      }

      const check = await runCli(["logs", run.result.runId, "--json"], { cwd: workspace.dir });
      expect(check.code).toBe(0);
      const after = await recordOf(workspace.dir, run.result.runId);
      expect(after.result).toMatchObject({ status: "lost", exitCode: null });
      expect(after.result.diagnosis[0]).toMatchObject({ code: "RunLost", severity: "error" });
      expect(after.result.diagnosis[0]!.message).toContain(
        "its container is gone, so nothing says how it ended",
      );
      expect((await readRunLogs(after)).map((line) => line.text)).toEqual(["started"]);
    },
    TIMEOUT,
  );

  it(
    "a run whose process is alive is left alone: its record is followed by that process",
    async () => {
      const { workspace, child, exited, run } = await startRun(
        "test/fixtures/workspaces/sleeper",
        "sleep.ipynb",
      );
      try {
        const logs = await runCli(["logs", run.result.runId], { cwd: workspace.dir });
        expect(logs.code).toBe(0);
        expect(logs.err.join("\n")).not.toContain("went away");
        expect((await recordOf(workspace.dir, run.result.runId)).result.status).toBe("running");
        expect((await containersOf(run.result.runId)).map((container) => container.State)).toEqual([
          "running",
        ]);
      } finally {
        child.kill("SIGINT");
        await exited;
      }
      expect((await recordOf(workspace.dir, run.result.runId)).result.status).toBe("cancelled");
    },
    TIMEOUT,
  );
});

describe("following a local run whose parity process is gone (its target's attach)", () => {
  it(
    "waits for its container's own end and records it, each missed line once; detach leaves it as it is",
    async () => {
      const { workspace, child, exited, run } = await startRun(
        "test/fixtures/workspaces/late-oom",
        "late.ipynb",
      );
      await kill9(child, exited);
      const context = { env: process.env, cwd: workspace.dir, signal: new AbortController().signal };
      const local = targetNamed("local");

      const left = await local.attach(context, await recordOf(workspace.dir, run.result.runId));
      left.detach!();
      expect((await left.result).status).toBe("running");
      expect((await containersOf(run.result.runId)).map((container) => container.State)).toEqual(["running"]);

      const handle = await local.attach(context, await recordOf(workspace.dir, run.result.runId));
      const lines: string[] = [];
      handle.onLog((line) => lines.push(line.text));
      await writeFile(path.join(workspace.dir, "go"), "");
      const result = await handle.result;
      expect(result).toMatchObject({ status: "failed", exitCode: 137, oomKilled: true });
      expect(lines.filter((line) => line.startsWith("after the kill"))).toEqual([
        "after the kill 0",
        "after the kill 1",
        "after the kill 2",
      ]);
      expect(await containersOf(run.result.runId)).toEqual([]);
    },
    TIMEOUT,
  );
});

describe("cancelling a run another process follows (Cancel in another window)", () => {
  it(
    "stops its container, and the parity run following it records cancelled and exits 130",
    async () => {
      const { workspace, exited, run } = await startRun("test/fixtures/workspaces/sleeper", "sleep.ipynb");
      const context = { env: process.env, cwd: workspace.dir, signal: new AbortController().signal };
      const local = targetNamed("local");
      expect(await local.confirmation(context, run)).toBeUndefined();
      await local.cancel(context, run);
      expect(await exited).toBe(130);
      const after = await recordOf(workspace.dir, run.result.runId);
      expect(after.result).toMatchObject({ status: "cancelled", exitCode: null });
      expect(after.result.diagnosis.map((item) => item.code)).toEqual(["Cancelled"]);
      expect(await containersOf(run.result.runId)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "whose process was killed: cancel settles it at once, its container stopped, the record cancelled",
    async () => {
      const { workspace, child, exited, run } = await startRun(
        "test/fixtures/workspaces/sleeper",
        "sleep.ipynb",
      );
      await kill9(child, exited);
      const context = { env: process.env, cwd: workspace.dir, signal: new AbortController().signal };
      // No process is there to honour the request, and no parity command settled the run first.
      await targetNamed("local").cancel(context, await recordOf(workspace.dir, run.result.runId));
      const after = await recordOf(workspace.dir, run.result.runId);
      expect(after.result).toMatchObject({ status: "cancelled", exitCode: null });
      expect(after.result.finishedAt).toBeDefined();
      expect(await containersOf(run.result.runId)).toEqual([]);
    },
    TIMEOUT,
  );
});
