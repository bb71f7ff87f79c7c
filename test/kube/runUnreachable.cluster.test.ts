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

describe("a followed cluster run whose API server goes away", () => {
  it("records since when it is unreachable, keeps its last status, and clears the mark when the server answers", async () => {
    const namespace = await freshNamespace(admin, "unreachable");
    const relay = await Relay.open(cluster.server);
    const file = join(home, "config");
    writeKubeconfig(file, relay.url, cluster.caFile, "parity-admin", admin.getCurrentUser()!.token!);
    const conn = await connectCluster({ env: { KUBECONFIG: file }, homeDir: home, namespace });
    const runId = "unreachable-1";
    const job = jobSpec(runId);
    // No node has this label: the pod stays Pending, as a run waiting for GPUs does.
    const spec = runSpec(conn, job, { runId, cluster: { nodeSelector: { "parity.test/none": "x" } } });
    const handle = startClusterRun(conn, spec, runId);
    try {
      await until("the run is pending on the cluster", async () => {
        const record = readRecord(job.workspaceDir, runId);
        return record.status === "pending" && record.timeline?.some((e) => e.reason === "FailedScheduling")
          ? true
          : undefined;
      });

      const cut = Date.now();
      await relay.refuse();
      const down = await until(
        "the record says the cluster is unreachable",
        async () => {
          const record = readRecord(job.workspaceDir, runId);
          return record.unreachableSince === undefined ? undefined : record;
        },
        15_000,
      );
      expect(Date.now() - cut).toBeLessThan(5_000);
      expect(Date.parse(down.unreachableSince!)).toBeGreaterThanOrEqual(cut);
      // Not "lost", not "failed": pending is the last thing known of it.
      expect(down.status).toBe("pending");

      await relay.restore();
      const back = await until(
        "the mark is gone once the watches are back",
        async () => {
          const record = readRecord(job.workspaceDir, runId);
          return record.unreachableSince === undefined ? record : undefined;
        },
        60_000,
      );
      expect(back.status).toBe("pending");
    } finally {
      handle.cancel();
      await handle.result.catch(() => undefined);
      await relay.refuse();
    }
    expect(readRecord(job.workspaceDir, runId).status).toBe("cancelled");
  });
});
