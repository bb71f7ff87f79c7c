import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { startClusterRun } from "../../src/app/targets/cluster/runs";
import { RUNS_DIR } from "../../src/app/store";
import { connectCluster } from "../../src/targets/kube/connection";
import { writeKubeconfig } from "../cluster/harness/kubeconfig";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { Relay } from "../cluster/harness/relay";
import { jobSpec, runSpec } from "./helpers/clusterRuns";

const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const home = mkdtempSync(join(tmpdir(), "parity-unreachable-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const readRecord = (workspaceDir: string, runId: string): RunResult =>
  JSON.parse(readFileSync(join(workspaceDir, RUNS_DIR, runId, "run.json"), "utf8")) as RunResult;

/** A run whose pod stays Pending (no node has its selector's label), followed through `relay`. */
async function pendingRun(relay: Relay, runId: string) {
  const namespace = await freshNamespace(admin, "unreachable");
  const file = join(home, `${runId}.kubeconfig`);
  writeKubeconfig(file, relay.url, cluster.caFile, "parity-admin", admin.getCurrentUser()!.token!);
  const conn = await connectCluster({ env: { KUBECONFIG: file }, homeDir: home, namespace });
  const job = jobSpec(runId);
  const spec = runSpec(conn, job, { runId, cluster: { nodeSelector: { "parity.test/none": "x" } } });
  const handle = startClusterRun(conn, spec, runId);
  const record = () => readRecord(job.workspaceDir, runId);
  await until("the run is pending on the cluster", async () =>
    record().status === "pending" && record().timeline?.some((e) => e.reason === "FailedScheduling")
      ? true
      : undefined,
  );
  return { handle, record };
}

const marked = (record: () => RunResult) => async () =>
  record().unreachableSince === undefined ? undefined : record();
const unmarked = (record: () => RunResult) => async () =>
  record().unreachableSince === undefined ? record() : undefined;

describe("a followed cluster run whose API server goes away", () => {
  it("records since when it is unreachable, keeps its last status, and clears the mark when the server answers", async () => {
    const relay = await Relay.open(cluster.server);
    const { handle, record } = await pendingRun(relay, "unreachable-1");
    // What the progress toast and the CLI say while following (trackedRun, parity run).
    const told: (string | undefined)[] = [];
    handle.onUnreachable?.((since) => told.push(since));
    try {
      const cut = Date.now();
      await relay.refuse();
      const down = await until("the record says the cluster is unreachable", marked(record), 15_000);
      expect(Date.now() - cut).toBeLessThan(5_000);
      expect(Date.parse(down.unreachableSince!)).toBeGreaterThanOrEqual(cut);
      // Not "lost", not "failed": pending is the last thing known of it.
      expect(down.status).toBe("pending");
      expect(told).toEqual([down.unreachableSince]);

      await relay.restore();
      const back = await until("the mark is gone once the server answers", unmarked(record), 60_000);
      expect(back.status).toBe("pending");
      expect(told).toEqual([down.unreachableSince, undefined]);
    } finally {
      handle.cancel();
      await handle.result.catch(() => undefined);
      await relay.refuse();
    }
    expect(record().status).toBe("cancelled");
  });

  it("notices a connection whose packets are dropped within seconds, not at the watches' deadline", async () => {
    const relay = await Relay.open(cluster.server);
    const { handle, record } = await pendingRun(relay, "unreachable-2");
    try {
      const cut = Date.now();
      relay.drop();
      const down = await until("the record says the cluster is unreachable", marked(record), 20_000);
      // One probe interval (5 s) and its deadline (3 s), where the watches would wait 90 s.
      expect(Date.now() - cut).toBeLessThan(10_000);
      expect(down.status).toBe("pending");
      await relay.restore();
      await until("the mark is gone once the server answers", unmarked(record), 60_000);
    } finally {
      handle.cancel();
      await handle.result.catch(() => undefined);
      await relay.refuse();
    }
  });
});
