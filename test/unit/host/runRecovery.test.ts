import { describe, expect, it } from "vitest";
import { Emitter } from "../../../src/core/events";
import type { RunResult } from "../../../src/core/job/types";
import type { Heavy } from "../../../src/services/loadHeavy";
import { ActiveRuns } from "../../../src/services/activeRuns";
import { ClusterReattach } from "../../../src/services/clusterReattach";
import type { StoredRun } from "../../../src/targets/store/runStore";

const record = (runId: string, over: Partial<RunResult> = {}): StoredRun => ({
  dir: `/ws/.parity/runs/${runId}`,
  result: {
    runId,
    target: "cluster",
    status: "running",
    exitCode: null,
    oomKilled: false,
    image: "i",
    notebook: "/ws/train.ipynb",
    memoryLimitBytes: 1,
    diagnosis: [],
    cluster: {
      context: "kwok",
      server: "https://127.0.0.1:6443",
      namespace: "team-a",
      kind: "Job",
      apiVersion: "batch/v1",
      name: runId,
    },
    ...over,
  },
});

/** A fake of the heavy half (no cluster can exist in a unit test): records what it was asked and ends runs on demand. */
function fakeHeavy() {
  const asked: { context?: string; namespace?: string; runId: string }[] = [];
  const ends = new Map<string, (status: RunResult["status"]) => void>();
  const calls: string[] = [];
  const heavy = {
    connectCluster: async (options: { context?: string; namespace?: string }) => ({ options }),
    attachClusterRun: (conn: { options: { context?: string; namespace?: string } }, stored: StoredRun) => {
      asked.push({ ...conn.options, runId: stored.result.runId });
      let end: (status: RunResult["status"]) => void = () => undefined;
      const result = new Promise<RunResult>((resolve) => {
        end = (status) => resolve({ ...stored.result, status });
      });
      ends.set(stored.result.runId, end);
      return {
        runId: stored.result.runId,
        onStatus: new Emitter().event,
        onLog: new Emitter().event,
        cancel: () => calls.push(`cancel ${stored.result.runId}`),
        detach: () => {
          calls.push(`detach ${stored.result.runId}`);
          end("running");
        },
        result,
      };
    },
  };
  return { heavy: heavy as unknown as Heavy, asked, ends, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("ClusterReattach", () => {
  it("attaches once to each unfinished cluster run nobody here follows, with the run's own context and namespace", async () => {
    const activeRuns = new ActiveRuns();
    const fake = fakeHeavy();
    const reattach = new ClusterReattach({
      activeRuns,
      heavy: async () => fake.heavy,
      log: () => undefined,
      env: {},
    });
    activeRuns.adopt("/ws/other.ipynb", "mine", "/ws", "cluster", { cancel() {}, leave() {} });
    const runs = [
      record("lost"),
      record("done", { finishedAt: "2026-03-02T10:00:00Z", status: "succeeded" }),
      record("local", { target: "local", cluster: undefined }),
      record("mine"),
    ];
    reattach.consider(runs);
    reattach.consider(runs);
    await settle();
    expect(fake.asked).toEqual([
      expect.objectContaining({ context: "kwok", namespace: "team-a", runId: "lost" }),
    ]);
    expect(activeRuns.find("lost")).toMatchObject({
      status: "running",
      workspaceDir: "/ws",
      target: "cluster",
    });

    fake.ends.get("lost")!("succeeded");
    await settle();
    expect(activeRuns.find("lost")).toBeUndefined();
    reattach.consider(runs);
    await settle();
    expect(fake.asked).toHaveLength(1);
  });

  it("leaves an attached run running when the window closes, but cancels the runs the window started", async () => {
    const activeRuns = new ActiveRuns();
    const fake = fakeHeavy();
    const reattach = new ClusterReattach({
      activeRuns,
      heavy: async () => fake.heavy,
      log: () => undefined,
      env: {},
    });
    const own = activeRuns.begin("/ws/train.ipynb", () => {
      fake.calls.push("cancel own");
      activeRuns.end(own);
    });
    reattach.consider([record("lost")]);
    await settle();
    await activeRuns.cancelAll(1000);
    expect(fake.calls.sort()).toEqual(["cancel own", "detach lost"]);
    expect(activeRuns.all()).toEqual([]);
  });

  it("logs why a run could not be followed again and keeps its record as it is", async () => {
    const activeRuns = new ActiveRuns();
    const messages: string[] = [];
    const heavy = {
      connectCluster: async () => {
        throw new Error("The API server https://127.0.0.1:6443 (context kwok) refused the connection.");
      },
    } as unknown as Heavy;
    new ClusterReattach({
      activeRuns,
      heavy: async () => heavy,
      log: (m) => messages.push(m),
      env: {},
    }).consider([record("lost")]);
    await settle();
    await settle();
    expect(messages).toEqual([
      "Cluster run lost could not be followed again: The API server https://127.0.0.1:6443 (context kwok) refused the connection.",
    ]);
    expect(activeRuns.all()).toEqual([]);
  });
});
