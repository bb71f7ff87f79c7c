import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { limitRangeFactsFrom, nodeFactsFrom, quotaFactsFrom } from "../../../src/core/preflight";

const GI = 1024 ** 3;

const node: V1Node = {
  metadata: { name: "gpu-a100-4", labels: { "nvidia.com/gpu.present": "true" } },
  spec: { taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }] },
  status: {
    allocatable: { cpu: "31500m", memory: "256Gi", "nvidia.com/gpu": "4", pods: "110" },
    conditions: [{ type: "Ready", status: "True" }],
  },
};

function pod(
  name: string,
  nodeName: string | undefined,
  spec: Partial<V1Pod["spec"]>,
  owner?: string,
): V1Pod {
  return {
    metadata: {
      name,
      namespace: "team-b",
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: "kubeflow.org/v1", kind: "PyTorchJob", name: owner, uid: "u", controller: true },
            ],
          }
        : {}),
    },
    spec: { containers: [], ...spec, ...(nodeName ? { nodeName } : {}) },
  };
}

describe("nodeFactsFrom", () => {
  it("sums the requests of the pods bound to each node and names those holding GPUs", () => {
    const pods = [
      pod(
        "bert-master-0",
        "gpu-a100-4",
        {
          containers: [
            { name: "pytorch", resources: { limits: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "2" } } },
          ],
        },
        "bert",
      ),
      pod("etl", "gpu-a100-4", {
        initContainers: [{ name: "fetch", resources: { requests: { cpu: "8" } } }],
        containers: [{ name: "main", resources: { requests: { cpu: "1", memory: "1Gi" } } }],
      }),
      pod("pending", undefined, {
        containers: [{ name: "main", resources: { requests: { "nvidia.com/gpu": "4" } } }],
      }),
    ];
    expect(nodeFactsFrom([node], pods)).toEqual([
      {
        name: "gpu-a100-4",
        labels: { "nvidia.com/gpu.present": "true" },
        taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
        unschedulable: false,
        ready: true,
        allocatable: { cpuMilli: 31_500, memoryBytes: 256 * GI, gpu: 4, pods: 110 },
        allocated: { cpuMilli: 12_000, memoryBytes: 17 * GI, gpu: 2, pods: 2 },
        gpuHolders: [{ namespace: "team-b", name: "bert-master-0", gpu: 2, owner: "PyTorchJob/bert" }],
      },
    ]);
  });

  it("treats a node without a Ready=True condition as not ready, and reads a cordon", () => {
    const [facts] = nodeFactsFrom(
      [
        {
          ...node,
          spec: { unschedulable: true },
          status: { conditions: [{ type: "Ready", status: "Unknown" }] },
        },
      ],
      [],
    );
    expect(facts).toMatchObject({
      ready: false,
      unschedulable: true,
      taints: [],
      allocatable: { gpu: 0, pods: 0 },
    });
  });
});

describe("quota and LimitRange facts", () => {
  it("keeps the quota's enforced hard limits and usage, and each LimitRange item's max and min", () => {
    expect(
      quotaFactsFrom([
        {
          metadata: { name: "q" },
          spec: { hard: { pods: "5" } },
          status: { hard: { pods: "4" }, used: { pods: "1" } },
        },
      ]),
    ).toEqual([{ name: "q", hard: { pods: "4" }, used: { pods: "1" } }]);
    expect(
      limitRangeFactsFrom([
        {
          metadata: { name: "l" },
          spec: { limits: [{ type: "Container", max: { cpu: "2" }, _default: { cpu: "1" } }] },
        },
      ]),
    ).toEqual([{ name: "l", limits: [{ type: "Container", max: { cpu: "2" }, min: undefined }] }]);
  });
});
