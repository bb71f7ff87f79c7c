import { appendFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { BatchV1Api, CoreV1Api, Log, type V1Pod } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, until, useCluster } from "./harness/context.js";
import { completes, oomKilled, setPodLog } from "./harness/fixtures.js";

const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
const core = config.makeApiClient(CoreV1Api);
const batch = config.makeApiClient(BatchV1Api);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(config, "workloads");
});

function pod(name: string, extra: Partial<V1Pod["metadata"]> = {}): V1Pod {
  return {
    metadata: { name, ...extra },
    spec: {
      restartPolicy: "Never",
      containers: [{ name: "main", image: "python:3.11-slim", command: ["python"] }],
    },
  };
}

const phaseOf = (name: string) => async () =>
  (await core.readNamespacedPod({ name, namespace })).status?.phase;

describe("workloads on fake nodes", () => {
  it("runs a Job to Succeeded through the Job controller, the scheduler and kwok", async () => {
    await batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: "train" },
        spec: {
          backoffLimit: 0,
          template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "trainer:1" }] } },
        },
      },
    });
    const job = await until("Job train complete", async () => {
      const current = await batch.readNamespacedJob({ name: "train", namespace });
      return current.status?.succeeded ? current : undefined;
    });
    expect(job.status?.conditions?.find((c) => c.type === "Complete")?.status).toBe("True");
    const pods = await core.listNamespacedPod({ namespace, labelSelector: "job-name=train" });
    expect(pods.items).toHaveLength(1);
    expect(pods.items[0]?.spec?.nodeName).toMatch(/^(cpu|gpu)-/);
    expect(pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
  });

  it("keeps a bare pod Running, and completes one that is labelled to", async () => {
    await core.createNamespacedPod({ namespace, body: pod("server") });
    await core.createNamespacedPod({ namespace, body: pod("script", { labels: completes.labels }) });
    expect(
      await until("script Succeeded", async () =>
        (await phaseOf("script")()) === "Succeeded" ? true : undefined,
      ),
    ).toBe(true);
    // The bare pod reaches Running (not only "not yet scheduled") and is still Running afterwards.
    await until("server Running", async () => ((await phaseOf("server")()) === "Running" ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await phaseOf("server")()).toBe("Running");
  });

  it("fails a labelled pod as OOMKilled with exit code 137", async () => {
    await core.createNamespacedPod({ namespace, body: pod("hungry", { ...oomKilled }) });
    await until("hungry Failed", async () => ((await phaseOf("hungry")()) === "Failed" ? true : undefined));
    const terminated = (await core.readNamespacedPod({ name: "hungry", namespace })).status
      ?.containerStatuses?.[0]?.state?.terminated;
    expect(terminated?.reason).toBe("OOMKilled");
    expect(terminated?.exitCode).toBe(137);
  });

  it("streams a pod's log file through the API's pods/log, following new lines", async () => {
    await core.createNamespacedPod({ namespace, body: pod("logger") });
    await until("logger Running", async () => ((await phaseOf("logger")()) === "Running" ? true : undefined));
    const file = await setPodLog(cluster, namespace, "logger", "main", [
      "epoch 1 loss 0.9",
      "epoch 2 loss 0.5",
    ]);

    // One-shot read: kwok picks up the Logs object through its informer, so retry briefly.
    const text = await until("pods/log text", async () => {
      const body = await core.readNamespacedPodLog({ name: "logger", namespace, container: "main" });
      return body.includes("epoch 2") ? body : undefined;
    });
    expect(text).toBe("epoch 1 loss 0.9\nepoch 2 loss 0.5\n");

    // Follow: a line appended to the file after the stream opened arrives through the stream.
    const stream = new PassThrough();
    let received = "";
    stream.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const request = await new Log(config).log(namespace, "logger", "main", stream, { follow: true });
    try {
      await until("followed lines", async () => (received.includes("epoch 2") ? true : undefined), 20_000);
      appendFileSync(file, `${new Date().toISOString()} stdout F epoch 3 loss 0.2\n`);
      await until(
        "appended line",
        async () => (received.includes("epoch 3 loss 0.2") ? true : undefined),
        20_000,
      );
    } finally {
      request.abort();
    }
  });
});
