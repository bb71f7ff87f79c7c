import { describe, expect, it } from "vitest";
import {
  explainUnschedulable,
  type LimitRangeFacts,
  predictScheduling,
  tolerates,
  type NodeFacts,
  type PodDemand,
  type PredictionInput,
} from "../../../src/core/preflight";

const GI = 1024 ** 3;
const gpuTaint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };

function node(
  name: string,
  cpus: number,
  memoryGi: number,
  gpu: number,
  extra: Partial<NodeFacts> = {},
): NodeFacts {
  return {
    name,
    labels: { "kubernetes.io/hostname": name, ...(gpu ? { "nvidia.com/gpu.present": "true" } : {}) },
    taints: [],
    unschedulable: false,
    ready: true,
    allocatable: { cpuMilli: cpus * 1000, memoryBytes: memoryGi * GI, gpu, pods: 110 },
    allocated: { cpuMilli: 0, memoryBytes: 0, gpu: 0, pods: 0 },
    ...extra,
  };
}

/** The test cluster's shape: two CPU nodes, a 4-GPU node and a tainted 8-GPU node. */
const cluster = (): NodeFacts[] => [
  node("cpu-1", 16, 64, 0),
  node("cpu-2", 16, 64, 0),
  node("gpu-a100-4", 32, 256, 4),
  node("gpu-h100-8", 64, 512, 8, { taints: [gpuTaint] }),
];

function demand(extra: Partial<PodDemand> = {}): PodDemand {
  return {
    role: "job",
    count: 1,
    cpuMilli: 2000,
    memoryBytes: 8 * GI,
    gpu: 0,
    nodeSelector: {},
    tolerations: [],
    ...extra,
  };
}

function predict(demands: PodDemand[], extra: Partial<PredictionInput> = {}) {
  return predictScheduling({
    namespace: "ml",
    demands,
    nodes: cluster(),
    quotas: [],
    limitRanges: [],
    ...extra,
  });
}

const codes = (prediction: { problems: { code: string }[] }) => prediction.problems.map((p) => p.code);

describe("predictScheduling: nodes", () => {
  it("places a small job and lists every node it fits", () => {
    const prediction = predict([demand()]);
    expect(prediction).toEqual({
      schedulable: true,
      problems: [],
      fits: [{ role: "job", nodes: ["cpu-1", "cpu-2", "gpu-a100-4"] }],
    });
  });

  it("says 8 GPUs do not fit the largest untainted-or-not node when the request is larger than any", () => {
    const prediction = predict([demand({ gpu: 16 })]);
    expect(prediction.schedulable).toBe(false);
    expect(prediction.problems).toMatchObject([
      {
        code: "InsufficientGpu",
        severity: "error",
        message: "16 GPUs requested; the largest node has 8 allocatable (gpu-h100-8).",
        // The only 8-GPU node is tainted: "request at most 8" alone would fail next on its taint.
        fix: "Request at most 8 GPUs in parity.yaml resources.gpu, and tolerate the taint of gpu-h100-8, the node that has that many, or use a distributed job (cluster.distributed) with workers of 8 GPUs.",
      },
    ]);
    const snippet = prediction.problems[0]!.snippet!;
    expect(snippet.yaml).toBe(
      'resources:\n  gpu: 8\ncluster:\n  tolerations:\n    - key: nvidia.com/gpu\n      operator: Equal\n      value: "present"\n      effect: NoSchedule',
    );
    // Followed, the fix schedules.
    const tolerations = snippet.changes.flatMap((change) =>
      change.kind === "addTolerations" ? change.tolerations : [],
    );
    expect(predict([demand({ gpu: 8, tolerations: [...tolerations] })]).schedulable).toBe(true);
  });

  it("offers the lower request alone when a node that big takes the pod as it is", () => {
    const untainted = cluster().map((n) => ({ ...n, taints: [] }));
    const prediction = predict([demand({ gpu: 16 })], { nodes: untainted });
    expect(prediction.problems[0]!.fix).toBe(
      "Request at most 8 GPUs in parity.yaml resources.gpu, or use a distributed job (cluster.distributed) with workers of 8 GPUs.",
    );
    expect(prediction.problems[0]!.snippet!.yaml).toBe("resources:\n  gpu: 8");
  });

  it("points a worker's fix at workerResources, and a cluster without GPUs at gpu: 0", () => {
    const worker = predict([demand({ role: "worker", count: 2, gpu: 16 })]);
    expect(worker.problems.map((p) => [p.message, p.fix])).toEqual([
      [
        "16 GPUs requested per worker; the largest node has 8 allocatable (gpu-h100-8).",
        "Request at most 8 GPUs in parity.yaml cluster.distributed.workerResources.gpu, and tolerate the taint of gpu-h100-8, the node that has that many, and more workers.",
      ],
    ]);
    const cpuOnly = predict([demand({ gpu: 1 })], { nodes: cluster().slice(0, 2) });
    expect(cpuOnly.problems.map((p) => [p.message, p.fix])).toEqual([
      [
        "1 GPU requested; the largest node has none allocatable (cpu-1).",
        "No node has GPUs: set resources.gpu to 0 in parity.yaml, or choose nodes with GPUs in cluster.nodeSelector.",
      ],
    ]);
  });

  it("scopes the largest node to the node selector", () => {
    const nodes = cluster().map((n) =>
      n.name === "gpu-a100-4" ? { ...n, labels: { ...n.labels, "nvidia.com/gpu.product": "A100" } } : n,
    );
    const prediction = predict([demand({ gpu: 8, nodeSelector: { "nvidia.com/gpu.product": "A100" } })], {
      nodes,
    });
    expect(prediction.problems[0]?.message).toBe(
      "8 GPUs requested; the largest node of the nodes matching cluster.nodeSelector has 4 allocatable (gpu-a100-4).",
    );
    expect(prediction.problems[0]?.fix).toMatch(
      /^Request at most 4 GPUs in parity\.yaml resources\.gpu, or use a distributed job/,
    );
  });

  it("names the untolerated taint of the only node big enough, with the toleration YAML", () => {
    const prediction = predict([demand({ gpu: 8 })]);
    expect(codes(prediction)).toEqual(["UntoleratedTaint"]);
    expect(prediction.problems[0]?.message).toBe(
      "The only node with room for the job's pod (gpu-h100-8) has the taint nvidia.com/gpu=present:NoSchedule, which the job does not tolerate.",
    );
    expect(prediction.problems[0]?.fix).toBe(
      "Add the toleration to parity.yaml, as production's pods have it.",
    );
    expect(prediction.problems[0]?.snippet?.yaml).toBe(
      'cluster:\n  tolerations:\n    - key: nvidia.com/gpu\n      operator: Equal\n      value: "present"\n      effect: NoSchedule',
    );
    expect(prediction.fits).toEqual([{ role: "job", nodes: [] }]);
  });

  it("places the pod on the tainted node once it tolerates the taint", () => {
    const tolerations = [
      { key: "nvidia.com/gpu", operator: "Exists" as const, effect: "NoSchedule" as const },
    ];
    expect(predict([demand({ gpu: 8, tolerations })])).toMatchObject({
      schedulable: true,
      problems: [],
      fits: [{ role: "job", nodes: ["gpu-h100-8"] }],
    });
  });

  it("ignores PreferNoSchedule taints and enforces NoExecute ones", () => {
    const soft = cluster().map((n) => ({ ...n, taints: [{ key: "spot", effect: "PreferNoSchedule" }] }));
    expect(predict([demand()], { nodes: soft }).schedulable).toBe(true);
    const hard = cluster().map((n) => ({ ...n, taints: [{ key: "maintenance", effect: "NoExecute" }] }));
    const prediction = predict([demand()], { nodes: hard });
    expect(codes(prediction)).toEqual(["UntoleratedTaint"]);
    expect(prediction.problems[0]?.message).toContain("maintenance:NoExecute");
    expect(prediction.problems[0]?.snippet?.yaml).toContain(
      "    - key: maintenance\n      operator: Exists\n      effect: NoExecute",
    );
  });

  it("names the selector label no node has, and the values the nodes do have", () => {
    const nodes = cluster().map((n) => ({
      ...n,
      labels: { ...n.labels, pool: n.name.startsWith("gpu") ? "gpu" : "cpu" },
    }));
    const prediction = predict([demand({ nodeSelector: { pool: "tpu" } })], { nodes });
    expect(prediction.problems).toMatchObject([
      {
        code: "NodeSelectorMismatch",
        severity: "error",
        message:
          "No ready node has the label pool=tpu (nodes have cpu, gpu) that cluster.nodeSelector asks for.",
      },
    ]);
    const absent = predict([demand({ nodeSelector: { "cloud.google.com/gke-accelerator": "t4" } })]);
    expect(absent.problems[0]?.message).toContain(
      "cloud.google.com/gke-accelerator=t4 (no node has this label)",
    );
  });

  it("says when no node accepts pods: not ready or cordoned", () => {
    const nodes = cluster().map((n, i) => ({
      ...n,
      ready: i % 2 === 0 ? false : true,
      unschedulable: i % 2 === 1,
    }));
    const prediction = predict([demand()], { nodes });
    expect(codes(prediction)).toEqual(["NoReadyNodes"]);
    expect(prediction.problems[0]?.message).toBe(
      "No node accepts new pods: cpu-1 (not ready), cpu-2 (cordoned), gpu-a100-4 (not ready), gpu-h100-8 (cordoned).",
    );
    expect(predict([demand()], { nodes: [] }).problems[0]?.message).toBe(
      "The cluster has no nodes, so nothing can run.",
    );
  });

  it("reports memory and CPU beyond any node in their own units and fields", () => {
    const prediction = predict([demand({ memoryBytes: 1024 * GI, cpuMilli: 96_000 })]);
    expect(prediction.problems.map((p) => [p.code, p.message, p.fix])).toEqual([
      [
        "InsufficientMemory",
        "1 TiB of memory requested; the largest node has 512 GiB allocatable (gpu-h100-8).",
        "Request at most 512Gi in parity.yaml resources.memory.",
      ],
      [
        "InsufficientCpu",
        "96 CPUs requested; the largest node has 64 allocatable (gpu-h100-8).",
        'Request at most "64" in parity.yaml resources.cpu.',
      ],
    ]);
  });

  it("says GPUs are busy (a warning) and names the pods holding them", () => {
    const nodes = cluster().map((n) =>
      n.name === "gpu-a100-4"
        ? {
            ...n,
            allocated: { cpuMilli: 4000, memoryBytes: 16 * GI, gpu: 3, pods: 2 },
            gpuHolders: [
              { namespace: "team-b", name: "bert-master-0", gpu: 2, owner: "PyTorchJob/bert" },
              { namespace: "team-c", name: "notebook", gpu: 1 },
            ],
          }
        : n,
    );
    const prediction = predict([demand({ gpu: 2 })], { nodes });
    expect(prediction.schedulable).toBe(true);
    expect(prediction.problems).toEqual([
      {
        code: "GpusBusy",
        severity: "warning",
        message:
          "2 GPUs requested and the nodes have them, but they are in use now (gpu-a100-4 1 of 4 free): team-b/bert-master-0 (PyTorchJob/bert) holds 2 GPUs on gpu-a100-4; team-c/notebook holds 1 GPU on gpu-a100-4. The job's pod will stay Pending until they are freed.",
        fix: "Wait for those pods to finish, ask their owners to free the GPUs, or request fewer GPUs.",
      },
    ]);
  });

  it("counts replicas: 4 workers of 2 GPUs need room for 4 pods", () => {
    const master = demand({ role: "master", gpu: 0 });
    const workers = demand({ role: "worker", count: 4, gpu: 2 });
    const prediction = predict([master, workers]);
    expect(prediction.schedulable).toBe(false);
    expect(prediction.problems).toMatchObject([
      {
        code: "InsufficientGpu",
        severity: "error",
        message:
          "4 worker pods of 2 GPUs each need room for 4 pods; even with nothing else running, the nodes hold about 2 of them (estimate).",
        fix: "Use at most 2 workers in parity.yaml cluster.distributed.workers, or smaller ones (cluster.distributed.workerResources).",
      },
    ]);
    expect(prediction.fits).toEqual([
      { role: "master", nodes: ["cpu-1", "cpu-2", "gpu-a100-4"] },
      { role: "worker", nodes: ["gpu-a100-4"] },
    ]);
    const tolerations = [{ key: "nvidia.com/gpu", operator: "Exists" as const }];
    expect(predict([master, { ...workers, tolerations }]).schedulable).toBe(true);
    expect(predict([master, { ...workers, count: 7, tolerations }]).schedulable).toBe(false);
  });

  it("warns, not fails, when the workers fit the cluster but not what is free now", () => {
    const nodes = cluster().map((n) =>
      n.name === "gpu-a100-4" ? { ...n, allocated: { cpuMilli: 0, memoryBytes: 0, gpu: 2, pods: 1 } } : n,
    );
    const prediction = predict([demand({ role: "worker", count: 2, gpu: 2 })], { nodes });
    expect(prediction.schedulable).toBe(true);
    expect(prediction.problems).toMatchObject([
      {
        code: "GpusBusy",
        severity: "warning",
        message: expect.stringMatching(/^Only about 1 of 2 worker pods/),
      },
    ]);
  });

  it("explains a single Pending pod for the diagnosis of a running job", () => {
    const problems = explainUnschedulable(demand({ gpu: 5 }), cluster());
    expect(problems.map((p) => p.code)).toEqual(["UntoleratedTaint"]);
  });
});

describe("predictScheduling: quota and LimitRange", () => {
  it("predicts QuotaExceeded with the quota, the resource, used and hard", () => {
    const quotas = [
      {
        name: "team-quota",
        hard: { "requests.nvidia.com/gpu": "4", "limits.memory": "64Gi", pods: "10" },
        used: { "requests.nvidia.com/gpu": "2", "limits.memory": "8Gi", pods: "1" },
      },
    ];
    const prediction = predict(
      [demand({ gpu: 1 }), demand({ role: "worker", count: 2, gpu: 1, memoryBytes: 32 * GI })],
      { quotas },
    );
    expect(prediction.schedulable).toBe(false);
    expect(prediction.problems.filter((p) => p.code === "QuotaExceeded").map((p) => p.message)).toEqual([
      "ResourceQuota team-quota in ml: limits.memory would be 80 GiB of 64 GiB (8 GiB used + 72 GiB for this job); the API server refuses the pods that do not fit.",
      "ResourceQuota team-quota in ml: requests.nvidia.com/gpu would be 5 of 4 (2 used + 3 for this job); the API server refuses the pods that do not fit.",
    ]);
    expect(prediction.problems[1]?.fix).toMatch(/^Ask for at most 2 of requests\.nvidia\.com\/gpu in total/);
  });

  it("compares cpu quotas in millicores and passes when the job fits", () => {
    const quotas = [{ name: "q", hard: { "requests.cpu": "2500m" }, used: { "requests.cpu": "500m" } }];
    expect(predict([demand({ cpuMilli: 2000 })], { quotas }).problems).toEqual([]);
    const over = predict([demand({ cpuMilli: 2001 })], { quotas });
    expect(over.problems[0]?.message).toContain(
      "requests.cpu would be 2501m of 2500m (500m used + 2001m for this job)",
    );
  });

  it("predicts LimitRangeViolation for a max per Container, with the field to change", () => {
    const limitRanges = [
      { name: "limits", limits: [{ type: "Container", max: { memory: "16Gi", cpu: "4" } }] },
    ];
    const prediction = predict([demand(), demand({ role: "worker", count: 2, memoryBytes: 32 * GI })], {
      limitRanges,
    });
    expect(prediction.problems).toEqual([
      {
        code: "LimitRangeViolation",
        severity: "error",
        message:
          "LimitRange limits in ml allows a Container at most 16 GiB memory; each worker pod asks for 32 GiB.",
        fix: "Set cluster.distributed.workerResources.memory to at most 16Gi in parity.yaml, or ask the namespace admin to raise limits.",
      },
    ]);
  });

  it("predicts a LimitRange min per Pod", () => {
    const limitRanges: LimitRangeFacts[] = [
      {
        name: "floor",
        limits: [
          { type: "Pod", min: { cpu: "500m" } },
          { type: "PersistentVolumeClaim", min: { storage: "1Gi" } },
        ],
      },
    ];
    const prediction = predict([demand({ cpuMilli: 100 })], { limitRanges });
    expect(prediction.problems.map((p) => p.message)).toEqual([
      "LimitRange floor in ml requires a Pod to have at least 500m cpu; the job's pod asks for 100m.",
    ]);
  });
});

describe("tolerates: Kubernetes' matching rules", () => {
  const taint = { key: "gpu", value: "yes", effect: "NoSchedule" };
  it.each([
    [{ operator: "Exists" as const }, true],
    [{ key: "", operator: "Exists" as const }, true],
    [{ key: "", operator: "Equal" as const }, false],
    [{ key: "gpu", operator: "Exists" as const }, true],
    [{ key: "gpu", value: "yes" }, true],
    [{ key: "gpu", value: "no" }, false],
    [{ key: "gpu", operator: "Exists" as const, effect: "NoExecute" as const }, false],
    [{ key: "gpu", value: "yes", effect: "NoSchedule" as const }, true],
    [{ key: "other", operator: "Exists" as const }, false],
  ])("%j → %s", (toleration, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });
});
