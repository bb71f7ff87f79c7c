import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Recovery } from "../../../src/app/reconcile";
import type { StoredRun } from "../../../src/app/store";
import { Emitter } from "../../../src/core/events";
import type { RunResult } from "../../../src/core/job/types";
import { ActiveRuns } from "../../../src/services/activeRuns";
import { RunRecovery } from "../../../src/services/runRecovery";

const workspace = mkdtempSync(join(tmpdir(), "parity-recovery-"));

/** A record on disk, as a run leaves it; `follower` writes its claim (a live process follows it). */
function record(runId: string, over: Partial<RunResult> = {}, follower?: number): StoredRun {
  const dir = join(workspace, ".parity", "runs", runId);
  mkdirSync(dir, { recursive: true });
  if (follower !== undefined)
    writeFileSync(join(dir, "follower.json"), JSON.stringify({ pid: follower, host: hostname() }));
  return {
    dir,
    result: {
      runId,
      target: "cluster",
      status: "running",
      exitCode: null,
      oomKilled: false,
      image: "i",
      notebook: join(workspace, "train.ipynb"),
      memoryLimitBytes: 1,
      diagnosis: [],
      ...over,
    },
  };
}

/**
 * A fake of the application layer's recoverRun (no engine or cluster can exist in a unit test):
 * records what it was asked; local runs are settled at once, others followed until ended on demand.
 */
function fakeApp() {
  const asked: string[] = [];
  const ends = new Map<string, (status: RunResult["status"]) => void>();
  const calls: string[] = [];
  const app = {
    recoverRun: async (_context: unknown, stored: StoredRun): Promise<Recovery> => {
      asked.push(stored.result.runId);
      if (stored.result.target === "local") return { result: { ...stored.result, status: "lost" } };
      let end: (status: RunResult["status"]) => void = () => undefined;
      const result = new Promise<RunResult>((resolve) => {
        end = (status) => resolve({ ...stored.result, status });
      });
      ends.set(stored.result.runId, end);
      return {
        handle: {
          runId: stored.result.runId,
          onStatus: new Emitter<RunResult["status"]>().event,
          onLog: new Emitter<never>().event,
          cancel: () => calls.push(`cancel ${stored.result.runId}`),
          detach: () => {
            calls.push(`detach ${stored.result.runId}`);
            end("running");
          },
          result,
        },
      };
    },
  };
  return { app, asked, ends, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const deps = (activeRuns: ActiveRuns, app: unknown, log: (message: string) => void = () => undefined) => ({
  activeRuns,
  app: async () => app as never,
  context: () => ({ env: {}, cwd: workspace, signal: new AbortController().signal }),
  log,
});

describe("RunRecovery", () => {
  it("recovers once each record whose follower went away and that nobody here follows", async () => {
    const activeRuns = new ActiveRuns();
    const fake = fakeApp();
    const recovery = new RunRecovery(deps(activeRuns, fake.app));
    activeRuns.adopt("/ws/other.ipynb", "mine", "/ws", "cluster", { cancel() {}, leave() {} });
    const runs = [
      record("gone"),
      record("done", { finishedAt: "2026-03-02T10:00:00Z", status: "succeeded" }),
      record("killed", { target: "local" }),
      record("mine"),
      record("followed", {}, process.ppid),
    ];
    const abandoned = await recovery.consider(runs);
    expect(abandoned.map((run) => run.result.runId)).toEqual(["gone", "killed"]);
    await recovery.consider(runs);
    await settle();
    expect(fake.asked).toEqual(["gone", "killed"]);
    // Followed again here, adopted by this window; a settled local record is done at once.
    expect(activeRuns.find("gone")).toMatchObject({
      status: "running",
      workspaceDir: workspace,
      target: "cluster",
    });
    expect(activeRuns.find("killed")).toBeUndefined();

    fake.ends.get("gone")!("succeeded");
    await settle();
    expect(activeRuns.find("gone")).toBeUndefined();
    await recovery.consider(runs);
    await settle();
    expect(fake.asked).toHaveLength(2);
  });

  it("settles a step or trial left with its workload through that workload, not on its own", async () => {
    const activeRuns = new ActiveRuns();
    const fake = fakeApp();
    const recovery = new RunRecovery(deps(activeRuns, fake.app));
    const runs = [
      record("exp-a", { target: "local", kind: "experiment", children: ["exp-a-1"] }),
      record("exp-a-1", { target: "local", parent: "exp-a", trial: "exp-a-1" }),
      // A trial whose experiment is followed elsewhere is settled on its own.
      record("exp-b", { target: "local", kind: "experiment" }, process.ppid),
      record("exp-b-1", { target: "local", parent: "exp-b", trial: "exp-b-1" }),
    ];
    expect((await recovery.consider(runs)).map((run) => run.result.runId)).toEqual([
      "exp-a",
      "exp-a-1",
      "exp-b-1",
    ]);
    await settle();
    expect(fake.asked).toEqual(["exp-a", "exp-b-1"]);
  });

  it("leaves a re-followed run running when the window closes, but cancels the runs the window started", async () => {
    const activeRuns = new ActiveRuns();
    const fake = fakeApp();
    const recovery = new RunRecovery(deps(activeRuns, fake.app));
    const own = activeRuns.begin("/ws/train.ipynb", () => {
      fake.calls.push("cancel own");
      activeRuns.end(own);
    });
    await recovery.consider([record("left")]);
    await settle();
    await activeRuns.cancelAll(1000);
    expect(fake.calls.sort()).toEqual(["cancel own", "detach left"]);
    expect(activeRuns.all()).toEqual([]);
  });

  it("logs why a run could not be followed again, keeps its record as it is, and tries again later", async () => {
    const activeRuns = new ActiveRuns();
    const messages: string[] = [];
    let asked = 0;
    const app = {
      recoverRun: async () => {
        asked += 1;
        throw new Error("The API server https://127.0.0.1:6443 (context kwok) refused the connection.");
      },
    };
    let now = 1_000_000;
    const recovery = new RunRecovery({ ...deps(activeRuns, app, (m) => messages.push(m)), now: () => now });
    const runs = [record("unreachable")];
    await recovery.consider(runs);
    await settle();
    await settle();
    expect(messages).toEqual([
      "Run unreachable was left running by a process that went away, and could not be settled or followed again: The API server https://127.0.0.1:6443 (context kwok) refused the connection.",
    ]);
    expect(activeRuns.all()).toEqual([]);
    await recovery.consider(runs);
    await settle();
    expect(asked).toBe(1);
    now += 30_000;
    await recovery.consider(runs);
    await settle();
    expect(asked).toBe(2);
  });
});
