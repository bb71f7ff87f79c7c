import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import type { SessionContext } from "../../src/app/context";
import { RUNS_DIR } from "../../src/app/store";
import { followAcrossMoves } from "../../src/app/targets/cluster/moved";
import { attachClusterRun, startClusterRun } from "../../src/app/targets/cluster/runs";
import { deleteWorkload } from "../../src/app/targets/cluster/workloads";
import type { RunResult } from "../../src/core/job/types";
import { connectCluster } from "../../src/targets/kube/connection";
import { writeKubeconfig } from "../cluster/harness/kubeconfig";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { Relay } from "../cluster/harness/relay";
import { jobSpec, runSpec } from "./helpers/clusterRuns";

const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const token = admin.getCurrentUser()!.token!;
const home = mkdtempSync(join(tmpdir(), "parity-moved-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const readRecord = (workspaceDir: string, runId: string): RunResult =>
  JSON.parse(readFileSync(join(workspaceDir, RUNS_DIR, runId, "run.json"), "utf8")) as RunResult;

/**
 * A Pending run (no node has its selector's label) submitted through `relay`, the cluster's first
 * address, and followed as the cluster target follows it (followAcrossMoves, 300 ms between looks).
 */
async function pendingRun(relay: Relay, runId: string) {
  const namespace = await freshNamespace(admin, "moved");
  const kubeconfig = join(home, `${runId}.kubeconfig`);
  writeKubeconfig(kubeconfig, relay.url, cluster.caFile, "parity-admin", token);
  const env = { KUBECONFIG: kubeconfig, HOME: home };
  const conn = await connectCluster({ env, homeDir: home, namespace });
  const job = jobSpec(runId);
  const spec = runSpec(conn, job, { runId, cluster: { nodeSelector: { "parity.test/none": "x" } } });
  const context: SessionContext = { env, cwd: job.workspaceDir, signal: new AbortController().signal };
  const handle = followAcrossMoves(
    context,
    { workspaceDir: job.workspaceDir, runId },
    startClusterRun(conn, spec, runId),
    (stored, where) => attachClusterRun(where.conn, stored, { movedFrom: where.movedFrom }),
    300,
  );
  const told: (string | undefined)[] = [];
  handle.onUnreachable?.((since) => told.push(since));
  const record = () => readRecord(job.workspaceDir, runId);
  await until("the run is pending on the cluster", async () =>
    record().status === "pending" && record().timeline?.some((e) => e.reason === "FailedScheduling")
      ? true
      : undefined,
  );
  return { handle, record, told, kubeconfig, namespace, name: spec.ref.name };
}

describe("a followed cluster run whose cluster moves to a new address", () => {
  it("is followed at the new address the kubeconfig gives its context, when the same workload (uid) runs there", async () => {
    const relay = await Relay.open(cluster.server);
    const run = await pendingRun(relay, "moved-1");
    try {
      expect(run.record().cluster?.server).toBe(relay.url);
      // The cluster moves: the kubeconfig now names its real address, and the old one stops answering.
      writeKubeconfig(run.kubeconfig, cluster.server, cluster.caFile, "parity-admin", token);
      await relay.refuse();

      const moved = await until(
        "the record names the new address",
        async () => (run.record().cluster?.server === cluster.server ? run.record() : undefined),
        30_000,
      );
      expect(moved.status).toBe("pending");
      const entry = moved.timeline?.find((e) => e.reason === "ClusterMoved");
      expect(entry?.message).toBe(
        `Context parity-test-parity-admin now points at ${cluster.server} instead of ${relay.url}, and the same Job (uid ${moved.cluster?.uid}) runs there: Parity follows it at the new address.`,
      );
      expect(moved.unreachableSince).toBeUndefined();
      // The progress and the CLI were told it stopped answering, then that it answers again.
      expect(run.told).toHaveLength(2);
      expect(run.told[0]).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(run.told[1]).toBeUndefined();

      // Cancel reaches the follower at the new address: the Job is deleted there.
      run.handle.cancel();
      const result = await run.handle.result;
      expect(result.status).toBe("cancelled");
      expect(run.record().status).toBe("cancelled");
      const jobs = await admin.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: run.namespace });
      expect(jobs.items.filter((j) => !j.metadata?.deletionTimestamp).map((j) => j.metadata?.name)).toEqual(
        [],
      );
    } finally {
      run.handle.cancel();
      await run.handle.result.catch(() => undefined);
      await relay.refuse();
    }
  });

  it("is deleted at the new address by Delete and parity delete, which find the same workload there by its uid", async () => {
    const relay = await Relay.open(cluster.server);
    const run = await pendingRun(relay, "moved-3");
    try {
      const ref = run.record().cluster!;
      // The follower goes (its window closed), then the cluster moves: the record names the old address.
      run.handle.detach();
      await run.handle.result;
      writeKubeconfig(run.kubeconfig, cluster.server, cluster.caFile, "parity-admin", token);
      await relay.refuse();
      const context: SessionContext = {
        env: { KUBECONFIG: run.kubeconfig, HOME: home },
        cwd: home,
        signal: new AbortController().signal,
      };
      const deletion = await deleteWorkload(context, ref, { profileProtected: false });
      expect(deletion.typeToConfirm).toBeUndefined();
      await deletion.delete();
      const batch = admin.makeApiClient(BatchV1Api);
      await until("the Job is gone", async () =>
        (await batch.listNamespacedJob({ namespace: run.namespace })).items.every(
          (job) => job.metadata?.deletionTimestamp,
        )
          ? true
          : undefined,
      );
    } finally {
      await relay.refuse();
    }
  });

  it("stays marked unreachable when the address its context now names has another workload of that name", async () => {
    const relay = await Relay.open(cluster.server);
    const run = await pendingRun(relay, "moved-2");
    try {
      const batch = admin.makeApiClient(BatchV1Api);
      await relay.refuse();
      await until("the record says the cluster is unreachable", async () =>
        run.record().unreachableSince ? true : undefined,
      );
      // Another cluster, as far as this run can tell: the same name, another uid.
      await batch.deleteNamespacedJob({
        name: run.name,
        namespace: run.namespace,
        propagationPolicy: "Background",
      });
      await until("the old Job is gone", async () =>
        (await batch.listNamespacedJob({ namespace: run.namespace })).items.length === 0 ? true : undefined,
      );
      await batch.createNamespacedJob({
        namespace: run.namespace,
        body: {
          metadata: { name: run.name },
          spec: {
            template: {
              spec: {
                restartPolicy: "Never",
                containers: [{ name: "main", image: "busybox", resources: { limits: { memory: "64Mi" } } }],
              },
            },
          },
        },
      });
      writeKubeconfig(run.kubeconfig, cluster.server, cluster.caFile, "parity-admin", token);

      // Several looks (300 ms apart) find the other Job and do not follow it.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const after = run.record();
      expect(after.cluster?.server).toBe(relay.url);
      expect(after.unreachableSince).toBeDefined();
      expect(after.status).toBe("pending");
      expect(after.timeline?.some((e) => e.reason === "ClusterMoved")).toBe(false);
    } finally {
      run.handle.detach();
      await run.handle.result.catch(() => undefined);
      await relay.refuse();
    }
  });
});
