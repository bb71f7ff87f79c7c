import { readFileSync } from "node:fs";
import { CoreV1Api, type CoreV1Event, type V1Pod } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, until, useCluster } from "./harness/context.js";
import { gpuNodes, gpuTaint } from "./harness/fixtures.js";

const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
const core = config.makeApiClient(CoreV1Api);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(config, "scheduling");
});

function gpuPod(name: string, gpus: number, options: { product?: string; tolerate?: boolean } = {}): V1Pod {
  return {
    metadata: { name },
    spec: {
      restartPolicy: "Never",
      containers: [
        {
          name: "main",
          image: "trainer:1",
          resources: {
            limits: { "nvidia.com/gpu": String(gpus) },
            requests: { "nvidia.com/gpu": String(gpus) },
          },
        },
      ],
      ...(options.product ? { nodeSelector: { "nvidia.com/gpu.product": options.product } } : {}),
      ...(options.tolerate ? { tolerations: [{ ...gpuTaint, operator: "Equal" }] } : {}),
    },
  };
}

/** The scheduler's own FailedScheduling event for a pod. */
function failedScheduling(name: string): Promise<CoreV1Event> {
  return until(`FailedScheduling for ${name}`, async () => {
    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.name=${name}`,
    });
    return events.items.find((e) => e.reason === "FailedScheduling");
  });
}

describe("the real scheduler against fake GPU nodes", () => {
  it("leaves a pod asking for 16 GPUs Pending with FailedScheduling: Insufficient nvidia.com/gpu", async () => {
    await core.createNamespacedPod({ namespace, body: gpuPod("too-big", 16) });
    const event = await failedScheduling("too-big");
    expect(event.source?.component ?? event.reportingComponent).toBe("default-scheduler");
    expect(event.message).toMatch(/^0\/4 nodes are available: .*Insufficient nvidia\.com\/gpu/);
    const current = await core.readNamespacedPod({ name: "too-big", namespace });
    expect(current.status?.phase).toBe("Pending");
    expect(current.spec?.nodeName).toBeUndefined();
  });

  it("places a pod that tolerates the GPU taint on the tainted 8-GPU node", async () => {
    await core.createNamespacedPod({
      namespace,
      body: gpuPod("tolerant", 8, { product: gpuNodes.h100.product, tolerate: true }),
    });
    const placed = await until("tolerant Running", async () => {
      const current = await core.readNamespacedPod({ name: "tolerant", namespace });
      return current.status?.phase === "Running" ? current : undefined;
    });
    expect(placed.spec?.nodeName).toBe(gpuNodes.h100.name);
  });

  it("refuses a pod that does not tolerate the taint, naming the taint", async () => {
    await core.createNamespacedPod({
      namespace,
      body: gpuPod("intolerant", 1, { product: gpuNodes.h100.product }),
    });
    const event = await failedScheduling("intolerant");
    // Kubernetes 1.36 no longer puts the taint itself in the event ...
    expect(event.message).toMatch(
      /^0\/4 nodes are available: 1 node\(s\) had untolerated taint\(s\), 3 node\(s\) didn't match Pod's node affinity\/selector/,
    );
    expect((await core.readNamespacedPod({ name: "intolerant", namespace })).spec?.nodeName).toBeUndefined();
    // ... the scheduler's TaintToleration plugin names it (verbosity 4), for this pod and node.
    const scheduler = cluster.components.find((c) => c.name === "kube-scheduler");
    const line = readFileSync(scheduler?.log ?? "", "utf8")
      .split("\n")
      .find((l) => l.includes("untolerated taints") && l.includes(`pod="${namespace}/intolerant"`));
    expect(line).toContain(`node="${gpuNodes.h100.name}"`);
    expect(line).toContain(`untoleratedTaint=${JSON.stringify(gpuTaint)}`);
  });

  it("reports the fake GPU nodes' capacity and product labels", async () => {
    const node = await core.readNode({ name: gpuNodes.a100.name });
    expect(node.status?.allocatable?.["nvidia.com/gpu"]).toBe(String(gpuNodes.a100.gpus));
    expect(node.metadata?.labels?.["nvidia.com/gpu.product"]).toBe(gpuNodes.a100.product);
    expect(node.spec?.taints ?? []).toEqual([]);
  });
});
