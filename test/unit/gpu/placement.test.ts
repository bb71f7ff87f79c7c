import { describe, expect, it } from "vitest";
import { gpuPlacementProblems, landingGpuDriver } from "../../../src/core/gpu/placement";
import { productionGpuOf } from "../../../src/core/gpu/productionGpu";
import type { NodeFacts, PodDemand } from "../../../src/core/preflight";

const GI = 1024 ** 3;

/** A node with GPU feature discovery's labels for `product` (written for these tests). */
function gpuNode(
  name: string,
  product: string,
  memoryMiB: number,
  extra: Partial<NodeFacts> = {},
): NodeFacts {
  return {
    name,
    labels: {
      "kubernetes.io/hostname": name,
      "nvidia.com/gpu.product": product,
      "nvidia.com/gpu.memory": String(memoryMiB),
      "nvidia.com/cuda.driver.major": "535",
      "nvidia.com/cuda.driver.minor": "104",
      "nvidia.com/cuda.driver.rev": "05",
    },
    taints: [],
    unschedulable: false,
    ready: true,
    allocatable: { cpuMilli: 32_000, memoryBytes: 256 * GI, gpu: 8, pods: 110 },
    allocated: { cpuMilli: 0, memoryBytes: 0, gpu: 0, pods: 0 },
    ...extra,
  };
}

function gpuDemand(extra: Partial<PodDemand> = {}): PodDemand {
  return {
    role: "job",
    count: 1,
    cpuMilli: 2000,
    memoryBytes: 8 * GI,
    gpu: 1,
    nodeSelector: {},
    tolerations: [],
    ...extra,
  };
}

const a100s = [
  gpuNode("a100-1", "NVIDIA-A100-SXM4-40GB", 40960),
  gpuNode("a100-2", "NVIDIA-A100-SXM4-40GB", 40960),
];
const h100 = gpuNode("h100-1", "NVIDIA-H100-80GB-HBM3", 81559);
const A100_40 = productionGpuOf({ product: "NVIDIA-A100-SXM4-40GB" });

describe("the GPUs of the nodes a job can land on", () => {
  it("say nothing when they are the GPU the profile names", () => {
    expect(gpuPlacementProblems(a100s, [gpuDemand()], A100_40)).toEqual([]);
    expect(gpuPlacementProblems(a100s, [gpuDemand({ gpu: 0 })], A100_40)).toEqual([]);
  });

  it("offer the nodes' GPU as the lines to add when the profile names none", () => {
    const [found] = gpuPlacementProblems(a100s, [gpuDemand()], undefined);
    expect(found).toMatchObject({ code: "GpuFromNodes", severity: "info" });
    expect(found?.message).toContain("nodes with NVIDIA-A100-SXM4-40GB, 40 GiB, driver 535.104.05");
    expect(found?.snippet?.yaml).toBe(
      'resources:\n  gpuProduct: "NVIDIA-A100-SXM4-40GB"\n  gpuMemory: "40960Mi"',
    );
  });

  it("warn of a mixed pool, and of nodes with less GPU memory than local runs were held to", () => {
    const problems = gpuPlacementProblems(
      [h100, ...a100s],
      [gpuDemand()],
      productionGpuOf({ product: "NVIDIA-H100-80GB-HBM3" }),
    );
    expect(problems.map((problem) => problem.code)).toEqual(["GpuPoolMixed", "GpuSmallerThanProfile"]);
    expect(problems[0]?.message).toContain(
      "NVIDIA-H100-80GB-HBM3 on h100-1; NVIDIA-A100-SXM4-40GB on a100-1, a100-2",
    );
    expect(problems[0]?.snippet?.yaml).toBe(
      'cluster:\n  nodeSelector:\n    nvidia.com/gpu.product: "NVIDIA-H100-80GB-HBM3"',
    );
    expect(problems[1]?.message).toContain("less than the 79.6 GiB parity.yaml says production has");
  });

  it("keep to the nodes the pods can be placed on: the selector, taints, GPUs", () => {
    const tainted = gpuNode("h100-2", "NVIDIA-H100-80GB-HBM3", 81559, {
      taints: [{ key: "dedicated", value: "training", effect: "NoSchedule" }],
    });
    expect(gpuPlacementProblems([...a100s, tainted], [gpuDemand()], A100_40)).toEqual([]);
    const selected = gpuDemand({ nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" } });
    expect(
      gpuPlacementProblems([...a100s, h100], [selected], A100_40).map((problem) => problem.code),
    ).toEqual(["GpuLargerThanProfile"]);
  });
});

describe("the NVIDIA driver of the nodes the job can land on", () => {
  it("is the oldest their labels say, for the report's CUDA check", () => {
    const older = gpuNode("a100-3", "NVIDIA-A100-SXM4-40GB", 40960);
    older.labels = {
      ...older.labels,
      "nvidia.com/cuda.driver.major": "525",
      "nvidia.com/cuda.driver.minor": "60",
      "nvidia.com/cuda.driver.rev": "13",
      "nvidia.com/cuda.runtime.major": "12",
      "nvidia.com/cuda.runtime.minor": "0",
    };
    expect(landingGpuDriver([...a100s, older], [gpuDemand()])).toEqual({
      version: "525.60.13",
      cudaVersion: "12.0",
      source: "node a100-3",
    });
    expect(landingGpuDriver(a100s, [gpuDemand()])).toEqual({
      version: "535.104.05",
      source: "nodes a100-1, a100-2",
    });
  });

  it("is none where the job asks for no GPU, or lands only where no driver is labelled", () => {
    expect(landingGpuDriver(a100s, [gpuDemand({ gpu: 0 })])).toBeUndefined();
    const unlabelled = gpuNode("plain", "NVIDIA-L4", 23034);
    unlabelled.labels = { "kubernetes.io/hostname": "plain", "nvidia.com/gpu.product": "NVIDIA-L4" };
    expect(landingGpuDriver([unlabelled], [gpuDemand()])).toBeUndefined();
  });
});
