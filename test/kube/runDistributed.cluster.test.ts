import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { LogLine } from "../../src/core/job/types";
import { startClusterRun } from "../../src/app/targets/cluster/runs";
import { RUNS_DIR } from "../../src/app/store";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context.js";
import { oomKilled, setPodLog } from "../cluster/harness/fixtures.js";
import { connect, jobSpec, limits, runSpec } from "./helpers/clusterRuns";

const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const core = admin.makeApiClient(CoreV1Api);
let namespace = "";
const MiB = 1024 * 1024;

beforeAll(async () => {
  namespace = await freshNamespace(admin, "ddp");
});

const cri = (text: string) => `${new Date().toISOString().replace("Z", "000000Z")} stdout F ${text}\n`;

/** Makes kwok fail a Running pod as OOMKilled, the way a replica dies in the middle of training. */
async function failAsOom(pod: V1Pod): Promise<void> {
  await core.patchNamespacedPod({
    name: pod.metadata!.name!,
    namespace,
    body: [
      { op: "replace", path: "/metadata/labels", value: { ...pod.metadata?.labels, ...oomKilled.labels } },
      {
        op: "add",
        path: "/metadata/annotations",
        value: { ...pod.metadata?.annotations, ...oomKilled.annotations },
      },
    ],
  });
}

describe("startClusterRun with a PyTorchJob (the real Training Operator)", () => {
  it("merges the replicas' logs by time, keeps every line once, and names the replica that failed first", async () => {
    const conn = await connect(cluster.kubeconfigs.admin, namespace);
    const workerLimits = { memoryBytes: 256 * MiB, milliCpu: 500, nanoCpus: 5e8, gpu: 0, shmBytes: 64 * MiB };
    const job = jobSpec("ddp", limits());
    const spec = runSpec(conn, job, {
      runId: "ddp-1",
      cluster: { distributed: { kind: "PyTorchJob", workers: 2, workerLimits } },
    });
    const handle = startClusterRun(conn, spec, "ddp-1");
    const lines: LogLine[] = [];
    handle.onLog((line) => lines.push(line));

    const pods = await until(
      "three Running replicas",
      async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: "parity.dev/run=ddp-1" });
        return list.items.length === 3 && list.items.every((p) => p.status?.phase === "Running")
          ? list.items
          : undefined;
      },
      90_000,
    );
    const byReplica = new Map(
      pods.map((pod) => {
        const labels = pod.metadata?.labels ?? {};
        return [
          `${labels["training.kubeflow.org/replica-type"]}-${labels["training.kubeflow.org/replica-index"]}`,
          pod,
        ];
      }),
    );
    expect([...byReplica.keys()].sort()).toEqual(["master-0", "worker-0", "worker-1"]);
    // kwok serves a pod's log only once its Logs object exists; until then each follower retries
    // with backoff, so a log made available later can start seconds late. Each replica's first line
    // is therefore waited for before the next replica's log is made, and the interleaving the merge
    // must order is written once every stream is live.
    const files = new Map<string, string>();
    for (const [replica, pod] of byReplica) {
      files.set(
        replica,
        await setPodLog(cluster, namespace, pod.metadata!.name!, "pytorch", [`${replica} step 1`]),
      );
      await until(`${replica}'s first line followed`, async () =>
        lines.some((l) => l.source === replica) ? true : undefined,
      );
    }
    for (const step of [2, 3]) {
      for (const replica of ["worker-1", "master-0", "worker-0"]) {
        appendFileSync(files.get(replica)!, cri(`${replica} step ${step}`));
      }
    }
    await until("every replica's step 3 followed", async () =>
      lines.filter((l) => l.text.endsWith("step 3")).length === 3 ? true : undefined,
    );

    // worker-1 writes its last words and is killed; they may arrive only through the final read.
    appendFileSync(files.get("worker-1")!, cri("worker-1 allocating 4 GiB"));
    await failAsOom(byReplica.get("worker-1")!);
    const result = await handle.result;

    expect(result.status).toBe("failed");
    expect(result.cluster?.kind).toBe("PyTorchJob");
    const [first, cause] = result.diagnosis;
    expect(first?.code).toBe("ReplicaFailedFirst");
    expect(first?.message).toMatch(
      /^worker-1 failed first at \d\d:\d\d:\d\d UTC \(OOMKilled 137\); 2 other replicas did not fail\.$/,
    );
    expect(cause?.code).toBe("OOMKilled");
    expect(cause?.message).toMatch(
      /^Replica worker-1 \(pod ddp-1-worker-1\) was killed .* at its 256 MiB memory limit\.$/,
    );

    const texts = lines.map((l) => `${l.source}: ${l.text}`).sort();
    expect(texts).toEqual(
      [
        ...["master-0", "worker-0", "worker-1"].flatMap((r) => [1, 2, 3].map((n) => `${r}: ${r} step ${n}`)),
        "worker-1: worker-1 allocating 4 GiB",
      ].sort(),
    );
    const stored = readFileSync(join(job.workspaceDir, RUNS_DIR, "ddp-1", "logs.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogLine);
    expect(stored.map((l) => `${l.source}: ${l.text}`).sort()).toEqual(texts);
    // One log merged by the kubelet's times across the replicas, as recorded and as passed on live.
    const inTimeOrder = (each: LogLine[]) => each.every((l, i) => i === 0 || l.time >= each[i - 1]!.time);
    expect(inTimeOrder(stored)).toBe(true);
    expect(inTimeOrder(lines)).toBe(true);
  });
});
