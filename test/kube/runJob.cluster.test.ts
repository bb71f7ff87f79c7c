import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BatchV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { startClusterRun } from "../../src/app/targets/cluster/runs";
import { RUNS_DIR } from "../../src/app/store";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context.js";
import { gpuNodes, oomKilled } from "../cluster/harness/fixtures.js";
import { connect, jobSpec, limits, podMetadata, runSpec } from "./helpers/clusterRuns";

const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const core = admin.makeApiClient(CoreV1Api);
const batch = admin.makeApiClient(BatchV1Api);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(admin, "runs");
});

const readRecord = (workspaceDir: string, runId: string): RunResult =>
  JSON.parse(readFileSync(join(workspaceDir, RUNS_DIR, runId, "run.json"), "utf8")) as RunResult;

/** The record as the run writes it while it goes, once it says what we wait for. */
function recordWhere(
  workspaceDir: string,
  runId: string,
  test: (run: RunResult) => boolean,
): Promise<RunResult> {
  return until(`run.json of ${runId}`, async () => {
    const run = readRecord(workspaceDir, runId);
    return test(run) ? run : undefined;
  });
}

describe("startClusterRun with a batch/v1 Job", () => {
  it("runs a Job from the manifest to success and records its timeline", async () => {
    const conn = await connect(cluster.kubeconfigs.admin, namespace);
    const job = jobSpec("plain");
    const handle = startClusterRun(conn, runSpec(conn, job, { runId: "plain-1" }), "plain-1");
    const statuses: string[] = [];
    handle.onStatus((s) => statuses.push(s));
    const result = await handle.result;
    expect(result).toMatchObject({
      runId: "plain-1",
      target: "cluster",
      status: "succeeded",
      exitCode: 0,
      diagnosis: [],
    });
    expect(result.cluster).toMatchObject({
      kind: "Job",
      name: "plain-1",
      namespace,
      uid: expect.any(String),
    });
    const reasons = result.timeline!.map((e) => `${e.object.split("/")[0]} ${e.reason}`);
    expect(reasons).toContain("Job SuccessfulCreate");
    expect(reasons).toContain("Pod Scheduled");
    expect(reasons).toContain("Container Completed");
    expect(reasons.at(-1)).toMatch(/Job Completed|Pod Succeeded|Container Completed/);
    expect(statuses).toEqual(expect.arrayContaining(["pending", "succeeded"]));
    expect(readRecord(job.workspaceDir, "plain-1")).toEqual(result);
    const created = await batch.readNamespacedJob({ name: "plain-1", namespace });
    expect(created.spec?.template.metadata?.labels?.["parity.dev/run"]).toBe("plain-1");
  });

  it("leaves a GPU request larger than any node Pending, diagnosed from the scheduler's message with numbers, until cancelled", async () => {
    const conn = await connect(cluster.kubeconfigs.admin, namespace);
    const job = jobSpec("huge", limits({ gpu: 16 }));
    const handle = startClusterRun(conn, runSpec(conn, job, { runId: "huge-1" }), "huge-1");
    const pending = await recordWhere(job.workspaceDir, "huge-1", (run) =>
      run.diagnosis.some((d) => d.code === "InsufficientGpu"),
    );
    expect(pending.status).toBe("pending");
    const event = pending.timeline!.find((e) => e.reason === "FailedScheduling");
    // Kubernetes 1.36: the tainted 8-GPU node fails on its taint, the other three on GPUs.
    expect(event?.message).toMatch(
      /^0\/4 nodes are available: 1 node\(s\) had untolerated taint\(s\), 3 Insufficient nvidia\.com\/gpu\./,
    );
    const [scheduling, gpu] = pending.diagnosis;
    expect(scheduling?.code).toBe("FailedScheduling");
    expect(scheduling?.message).toContain(
      "(0 of 4 nodes fit): 1 node with a taint the pod does not tolerate, 3 nodes without enough nvidia.com/gpu (the pod asks for 16). Evicting other pods would not help.",
    );
    expect(gpu?.message).toContain("16");
    expect(gpu?.message).toContain(String(gpuNodes.h100.gpus));

    handle.cancel();
    const result = await handle.result;
    expect(result.status).toBe("cancelled");
    expect(result.diagnosis.map((d) => d.code)).toEqual(["Cancelled", "FailedScheduling", "InsufficientGpu"]);
    await until("Job huge-1 deleted", async () =>
      (await batch.listNamespacedJob({ namespace })).items.some((j) => j.metadata?.name === "huge-1")
        ? undefined
        : true,
    );
  });

  it("names the taint a pod does not tolerate", async () => {
    const conn = await connect(cluster.kubeconfigs.admin, namespace);
    const job = jobSpec("tainted", limits({ gpu: 8 }));
    const spec = runSpec(conn, job, {
      runId: "tainted-1",
      cluster: { nodeSelector: { "nvidia.com/gpu.product": gpuNodes.h100.product } },
    });
    const handle = startClusterRun(conn, spec, "tainted-1");
    const pending = await recordWhere(job.workspaceDir, "tainted-1", (run) =>
      run.diagnosis.some((d) => d.code === "UntoleratedTaint"),
    );
    expect(pending.diagnosis[0]?.message).toContain("1 node with a taint the pod does not tolerate");
    const taint = pending.diagnosis.find((d) => d.code === "UntoleratedTaint");
    expect(taint?.message).toContain("nvidia.com/gpu=present:NoSchedule");
    expect(taint?.snippet?.yaml).toContain("tolerations:");
    handle.cancel();
    expect((await handle.result).status).toBe("cancelled");
  });

  it("diagnoses an OOMKilled pod with its memory limit", async () => {
    const conn = await connect(cluster.kubeconfigs.admin, namespace);
    const job = jobSpec("hungry", limits({ memoryBytes: 768 * 1024 * 1024 }));
    const spec = runSpec(conn, job, {
      runId: "hungry-1",
      edit: (w) => podMetadata(w.spec.template, oomKilled),
    });
    const result = await startClusterRun(conn, spec, "hungry-1").result;
    expect(result).toMatchObject({ status: "failed", oomKilled: true, exitCode: 137 });
    expect(result.diagnosis[0]?.code).toBe("OOMKilled");
    expect(result.diagnosis[0]?.message).toMatch(
      /^Pod hungry-1-\w+ was killed by the out-of-memory killer at its 768 MiB memory limit\.$/,
    );
    expect(result.timeline!.some((e) => e.object.startsWith("Container/") && e.reason === "OOMKilled")).toBe(
      true,
    );
  });

  it("refuses the restricted user before anything is created or recorded", async () => {
    const conn = await connect(cluster.kubeconfigs.restricted, namespace);
    const job = jobSpec("refused");
    const handle = startClusterRun(conn, runSpec(conn, job, { runId: "refused-1" }), "refused-1");
    await expect(handle.result).rejects.toMatchObject({
      code: "Forbidden",
      message: expect.stringContaining(`create jobs.batch`),
    });
    expect(
      (await batch.listNamespacedJob({ namespace, labelSelector: "parity.dev/run=refused-1" })).items,
    ).toEqual([]);
    expect(
      (await core.listNamespacedPod({ namespace, labelSelector: "parity.dev/run=refused-1" })).items,
    ).toEqual([]);
    expect(existsSync(join(job.workspaceDir, RUNS_DIR, "refused-1"))).toBe(false);
    expect(existsSync(join(job.workspaceDir, ".parity"))).toBe(false);
  });

  it("keeps a failed Job pod's whole log, each line once, and explains its traceback like a local run", async () => {
    // The pod's name is the Job controller's to choose: kwok serves this file for every pod of the namespace.
    const own = await freshNamespace(admin, "tb");
    const file = join(cluster.podLogDir, `${own}-cluster.log`);
    const stamp = new Date().toISOString().replace("Z", "000000Z");
    const lines = [
      "epoch 1 loss 0.91",
      "Traceback (most recent call last):",
      '  File "train.py", line 3',
      "ValueError: shapes (3,) and (4,) not aligned",
    ];
    writeFileSync(file, lines.map((line) => `${stamp} stderr F ${line}\n`).join(""));
    const custom = admin.makeApiClient(CustomObjectsApi);
    const clusterLogs = { group: "kwok.x-k8s.io", version: "v1alpha1", plural: "clusterlogs", name: own };
    await custom.createClusterCustomObject({
      ...clusterLogs,
      body: {
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "ClusterLogs",
        metadata: { name: own },
        spec: { selector: { matchNamespaces: [own] }, logs: [{ logsFile: file, follow: true }] },
      },
    });
    try {
      const conn = await connect(cluster.kubeconfigs.admin, own);
      const job = jobSpec("tb");
      const failing = {
        labels: oomKilled.labels,
        annotations: {
          "pod-container-running-failed.stage.kwok.x-k8s.io/reason": "Error",
          "pod-container-running-failed.stage.kwok.x-k8s.io/exit-code": "1",
        },
      };
      const spec = runSpec(conn, job, { runId: "tb-1", edit: (w) => podMetadata(w.spec.template, failing) });
      const handle = startClusterRun(conn, spec, "tb-1");
      const seen: string[] = [];
      handle.onLog((line) => seen.push(line.text));
      const result = await handle.result;
      expect(result).toMatchObject({ status: "failed", exitCode: 1, oomKilled: false });
      expect(seen).toEqual(lines);
      expect(result.diagnosis.map((d) => d.code)).toEqual(["PythonException"]);
      expect(result.diagnosis[0]?.message).toBe("ValueError: shapes (3,) and (4,) not aligned");
    } finally {
      await custom.deleteClusterCustomObject(clusterLogs);
    }
  });
});
