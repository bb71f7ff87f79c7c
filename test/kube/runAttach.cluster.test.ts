import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { attachClusterRun, startClusterRun } from "../../src/app/targets/cluster/runs";
import { recoverRun } from "../../src/app/reconcile";
import { abandonedRuns, findRun, readRunLogs, RUNS_DIR } from "../../src/app/store";
import { targetNamed } from "../../src/app/targets";
import { HOLD_LABEL } from "../cluster/harness/assets.js";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context.js";
import { setPodLog } from "../cluster/harness/fixtures.js";
import { connect, jobSpec, podMetadata, runSpec } from "./helpers/clusterRuns";

const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const core = admin.makeApiClient(CoreV1Api);
const batch = admin.makeApiClient(BatchV1Api);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(admin, "attach");
});

const readRecord = (workspaceDir: string, runId: string): RunResult =>
  JSON.parse(readFileSync(join(workspaceDir, RUNS_DIR, runId, "run.json"), "utf8")) as RunResult;
const cri = (text: string) => `${new Date().toISOString().replace("Z", "000000Z")} stdout F ${text}\n`;

/** A run whose Job pod stays Running (held by HOLD_LABEL), followed until it runs, then left behind. */
async function startThenAbandon(runId: string, firstLines: string[]) {
  const conn = await connect(cluster.kubeconfigs.admin, namespace);
  const job = jobSpec(runId);
  const spec = runSpec(conn, job, {
    runId,
    edit: (w) => podMetadata(w.spec.template, { labels: { [HOLD_LABEL]: "true" } }),
  });
  const handle = startClusterRun(conn, spec, runId);
  const seen: string[] = [];
  handle.onLog((line) => seen.push(line.text));
  const pod = await until(`a Running pod of ${runId}`, async () => {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: `parity.dev/run=${runId}` });
    return pods.items.find((p) => p.status?.phase === "Running");
  });
  const container = pod.spec!.containers[0]!.name;
  const file = await setPodLog(cluster, namespace, pod.metadata!.name!, container, firstLines);
  await until("the first lines followed", async () => (seen.length === firstLines.length ? true : undefined));
  // The follower goes away (a window reloaded, a CLI killed); the workload runs on.
  handle.detach();
  const left = await handle.result;
  return { conn, job, pod, file, left, seen };
}

async function release(pod: V1Pod): Promise<void> {
  const labels = { ...pod.metadata?.labels };
  delete labels[HOLD_LABEL];
  await core.patchNamespacedPod({
    name: pod.metadata!.name!,
    namespace,
    body: [{ op: "replace", path: "/metadata/labels", value: labels }],
  });
}

describe("attachClusterRun", () => {
  it("follows a run left behind to its end, adding each new log line exactly once", async () => {
    const first = ["epoch 1 loss 0.91", "epoch 2 loss 0.52"];
    const { conn, job, pod, file, left, seen } = await startThenAbandon("attach-1", first);
    expect(left.status).toBe("running");
    expect(left.finishedAt).toBeUndefined();
    expect(seen).toEqual(first);
    expect(readRecord(job.workspaceDir, "attach-1").status).toBe("running");

    // Written while nobody followed, and after.
    appendFileSync(file, cri("epoch 3 loss 0.33"));
    const attached = attachClusterRun(conn, await findRun(job.workspaceDir, "attach-1"));
    const added: string[] = [];
    attached.onLog((line) => added.push(line.text));
    await until("the missed line followed", async () =>
      added.includes("epoch 3 loss 0.33") ? true : undefined,
    );
    appendFileSync(file, cri("done"));
    await until("the last line followed", async () => (added.includes("done") ? true : undefined));
    await release(pod);

    const result = await attached.result;
    expect(result).toMatchObject({ runId: "attach-1", status: "succeeded", exitCode: 0 });
    expect(result.finishedAt).toEqual(expect.any(String));
    expect(added).toEqual(["epoch 3 loss 0.33", "done"]);
    const stored = await findRun(job.workspaceDir, "attach-1");
    expect((await readRunLogs(stored)).map((line) => line.text)).toEqual([
      ...first,
      "epoch 3 loss 0.33",
      "done",
    ]);
    expect(readRecord(job.workspaceDir, "attach-1")).toEqual(result);
    const reasons = result.timeline!.map((e) => `${e.object.split("/")[0]} ${e.reason}`);
    expect(reasons).toContain("Pod Scheduled");
    expect(reasons).toContain("Container Completed");
  });

  it("ends a run whose workload was deleted meanwhile as cancelled, and says why", async () => {
    const { conn, job, left } = await startThenAbandon("attach-2", ["epoch 1"]);
    expect(left.status).toBe("running");
    await batch.deleteNamespacedJob({ name: "attach-2", namespace, propagationPolicy: "Background" });
    await until("Job attach-2 gone", async () =>
      (await batch.listNamespacedJob({ namespace })).items.some((j) => j.metadata?.name === "attach-2")
        ? undefined
        : true,
    );

    const result = await attachClusterRun(conn, await findRun(job.workspaceDir, "attach-2")).result;
    expect(result.status).toBe("cancelled");
    expect(result.finishedAt).toEqual(expect.any(String));
    expect(result.diagnosis[0]).toMatchObject({ code: "WorkloadDeleted", severity: "warning" });
    expect(result.diagnosis[0]!.message).toContain(`Job attach-2 in namespace ${namespace}`);
    expect(readRecord(job.workspaceDir, "attach-2")).toEqual(result);
    const stored = await findRun(job.workspaceDir, "attach-2");
    expect((await readRunLogs(stored)).map((line) => line.text)).toEqual(["epoch 1"]);
  });
});

describe("recovering a cluster run whose follower went away (src/app/reconcile.ts)", () => {
  const contextFor = () => ({
    // The kubeconfig's own namespace is not the run's: the record's context and namespace are used.
    env: { KUBECONFIG: cluster.kubeconfigs.admin, HOME: mkdtempSync(join(tmpdir(), "h10-home-")) },
    cwd: tmpdir(),
    signal: new AbortController().signal,
  });

  it("follows it again to its end, with the run's own context and namespace", async () => {
    const { job, pod, left } = await startThenAbandon("recover-1", ["epoch 1"]);
    expect(left.status).toBe("running");
    const stored = await findRun(job.workspaceDir, "recover-1");
    expect(await abandonedRuns([stored])).toEqual([stored]);

    const recovery = await recoverRun(contextFor(), stored);
    expect(recovery.result).toBeUndefined();
    await release(pod);
    const result = await recovery.handle!.result;
    expect(result).toMatchObject({ runId: "recover-1", status: "succeeded", exitCode: 0 });
    expect(await abandonedRuns([await findRun(job.workspaceDir, "recover-1")])).toEqual([]);
  });

  it("reconciles in one look: a workload still going leaves the record as it is, an ended one completes it", async () => {
    const { job, pod } = await startThenAbandon("recover-2", ["epoch 1"]);
    const stored = await findRun(job.workspaceDir, "recover-2");
    const target = targetNamed("cluster");
    expect(await target.reconcile(contextFor(), stored)).toEqual(stored.result);

    await release(pod);
    await until("Job recover-2 complete", async () =>
      (await batch.readNamespacedJob({ name: "recover-2", namespace })).status?.conditions?.some(
        (condition) => condition.type === "Complete" && condition.status === "True",
      )
        ? true
        : undefined,
    );
    const result = await target.reconcile(contextFor(), await findRun(job.workspaceDir, "recover-2"));
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(readRecord(job.workspaceDir, "recover-2")).toEqual(result);
  });
});
