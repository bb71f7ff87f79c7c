import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { workloadConfirmation } from "../../../src/app/targets/cluster/workloads";
import { runStop } from "../../../src/app/targets/stop";
import type { RunResult } from "../../../src/core/job/types";
import { runCli } from "../../integration/helpers/workspace";

// runStop decides what stopping a run asks before anything is touched; these cases need no
// engine or cluster (a local run's target asks nothing). The cluster's cases, where the target
// reads the namespace, run against the test control plane (test/cli/delete.cluster.test.ts).
let workspaceDir = "";
const session = () => ({ env: process.env, cwd: workspaceDir, signal: new AbortController().signal });

async function record(result: Partial<RunResult> & { runId: string }): Promise<void> {
  const dir = path.join(workspaceDir, ".parity", "runs", result.runId);
  await mkdir(dir, { recursive: true });
  const full: RunResult = {
    kind: "job",
    target: "local",
    status: "succeeded",
    exitCode: 0,
    oomKilled: false,
    image: "parity/train:test",
    notebook: path.join(workspaceDir, "train.ipynb"),
    memoryLimitBytes: 256 * 1024 * 1024,
    diagnosis: [],
    ...result,
  };
  await writeFile(path.join(dir, "run.json"), JSON.stringify(full));
}

beforeEach(async () => {
  workspaceDir = await mkdtemp(path.join(tmpdir(), "parity-stop-"));
});
afterEach(async () => {
  await rm(workspaceDir, { recursive: true, force: true });
});

describe("runStop", () => {
  it("stops a run with nothing recorded yet (building, pushing) through its follower, asking nothing", async () => {
    let cancelled = 0;
    const stop = await runStop(session, { workspaceDir, runId: "train-1" }, { cancel: () => cancelled++ });
    expect(stop.needed).toBeUndefined();
    await stop.stop();
    expect(cancelled).toBe(1);
    const building = await runStop(session, undefined, { cancel: () => cancelled++ });
    await building.stop();
    expect(cancelled).toBe(2);
  });

  it("stops a local run this process follows through its follower, asking nothing", async () => {
    await record({ runId: "train-2", status: "running", exitCode: null });
    let cancelled = 0;
    const stop = await runStop(session, { workspaceDir, runId: "train-2" }, { cancel: () => cancelled++ });
    expect(stop.needed).toBeUndefined();
    await stop.stop();
    expect(cancelled).toBe(1);
  });

  it("refuses a local run that has ended, with what to do instead", async () => {
    await record({ runId: "train-3" });
    await expect(runStop(session, { workspaceDir, runId: "train-3" })).rejects.toMatchObject({
      code: "RunEnded",
      message: "The run train-3 on local Docker has ended (succeeded): nothing of it is left to stop.",
      fix: "Its record and logs stay: parity logs train-3 prints them.",
    });
  });

  it("refuses a run with neither a record nor a follower", async () => {
    await expect(runStop(session, { workspaceDir, runId: "nowhere-1" })).rejects.toMatchObject({
      code: "RunNotFound",
    });
  });
});

describe("workloadConfirmation", () => {
  const ref = { kind: "Job" as const, name: "train-abc", namespace: "team-a", context: "kwok" };

  it("asks for the workload's name in a protected namespace, and says why", () => {
    expect(workloadConfirmation(ref, true)).toEqual({
      what: "Job train-abc in team-a (context kwok)",
      typeToConfirm: "train-abc",
      why: "team-a is a protected namespace",
    });
  });

  it("asks only a yes elsewhere", () => {
    expect(workloadConfirmation(ref, false)).toEqual({ what: "Job train-abc in team-a (context kwok)" });
  });
});

describe("parity delete", () => {
  it("refuses a local run that has ended, and stops nothing", async () => {
    await record({ runId: "train-4" });
    const result = await runCli(["delete", "train-4"], { cwd: workspaceDir });
    expect(result.code).toBe(1);
    expect(result.err.join("\n")).toContain(
      "The run train-4 on local Docker has ended (succeeded): nothing of it is left to stop.",
    );
  });

  it("is listed in the CLI's help, and documents --confirm", async () => {
    expect((await runCli(["--help"], { cwd: workspaceDir })).out.join("\n")).toMatch(/delete <run>/);
    const help = await runCli(["delete", "--help"], { cwd: workspaceDir });
    expect(help.code).toBe(0);
    expect(help.out.join("\n")).toMatch(/--confirm <name>/);
  });
});
