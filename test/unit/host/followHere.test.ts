import { describe, expect, it, vi } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import { ActiveRuns } from "../../../src/services/activeRuns";
import type { App } from "../../../src/services/app";
import type { Services } from "../../../src/services/container";

vi.mock("vscode", () => ({}));

const { followHere, leftRunning } = await import("../../../src/commands/support/followHere");

/** The application layer as followHere asks it: whether a target's work outlives its follower. */
const app = {
  targetNamed: (name: string) => ({ outlivesFollower: name === "cluster" }),
} as unknown as App;

function windowWith(): { services: Services; activeRuns: ActiveRuns; lines: string[] } {
  const activeRuns = new ActiveRuns();
  const lines: string[] = [];
  const services = { activeRuns, log: (line: string) => lines.push(line) } as unknown as Services;
  return { services, activeRuns, lines };
}

const run = { workspaceDir: "/ws", runId: "numbers-cluster-1a2b" };

describe("followHere: the window's hold on a pipeline run or an experiment it starts", () => {
  it("is known to the window at once, by its file and kind, then by its run id once its record is written", () => {
    const { services, activeRuns } = windowWith();
    const followed = followHere(services, "/ws/numbers.ipynb", "cluster", "pipeline");
    expect(activeRuns.all()).toEqual([
      expect.objectContaining({ notebookFile: "/ws/numbers.ipynb", kind: "pipeline", status: "building" }),
    ]);
    followed.started(run, app);
    expect(activeRuns.find(run.runId)).toMatchObject({ status: "running", workspaceDir: "/ws" });
  });

  it("closing the window detaches from a cluster's workload once it is started, and cancels nothing", async () => {
    const { services, activeRuns } = windowWith();
    const followed = followHere(services, "/ws/numbers.ipynb", "cluster", "pipeline");
    followed.started(run, app);
    followed.detach.addEventListener("abort", () => activeRuns.end(followed.active));
    await activeRuns.cancelAll(1000);
    expect(followed.detach.aborted).toBe(true);
    expect(followed.cancel.aborted).toBe(false);
  });

  it("closing the window cancels a cluster run still building (nothing is on the cluster) and a local run", async () => {
    for (const [target, started] of [
      ["cluster", false],
      ["local", true],
    ] as const) {
      const { services, activeRuns } = windowWith();
      const followed = followHere(services, "/ws/numbers.ipynb", target, "pipeline");
      if (started) followed.started(run, app);
      followed.cancel.addEventListener("abort", () => activeRuns.end(followed.active));
      await activeRuns.cancelAll(1000);
      expect([target, followed.cancel.aborted, followed.detach.aborted]).toEqual([target, true, false]);
    }
  });

  it("Cancel Run's stop is the cancel signal", () => {
    const { services, activeRuns } = windowWith();
    const followed = followHere(services, "/ws/train.ipynb", "cluster", "experiment");
    followed.started(run, app);
    activeRuns.find(run.runId)!.cancel();
    expect(followed.cancel.aborted).toBe(true);
    expect(followed.detach.aborted).toBe(false);
  });
});

describe("leftRunning: how a run the window stopped following ends in this window", () => {
  const result = (status: RunResult["status"]) => ({ runId: run.runId, status }) as RunResult;

  it("says in the output that a run left running goes on, and nothing else", () => {
    const { services, lines } = windowWith();
    expect(leftRunning(services, result("running"))).toBe(true);
    expect(lines).toEqual([`${run.runId}: no longer followed by this window; it goes on (running).`]);
  });

  it("leaves a finished run to be announced", () => {
    const { services, lines } = windowWith();
    for (const status of ["succeeded", "failed", "cancelled"] as const) {
      expect(leftRunning(services, result(status))).toBe(false);
    }
    expect(lines).toEqual([]);
  });
});
