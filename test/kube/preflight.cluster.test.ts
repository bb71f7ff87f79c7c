import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type CoreV1Event,
  type KubernetesObject,
  type V1Job,
  type V1Pod,
} from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorkload, runSelector, workloadResource, type ManifestInput } from "../../src/core/manifests";
import type { ClusterSpec, DistributedSpec } from "../../src/core/profile";
import type { Diagnosis } from "../../src/core/diagnosis/types";
import { productionGpuOf } from "../../src/core/gpu/productionGpu";
import { clusterFacts, preflight } from "../../src/targets/kube/preflight";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { gpuNodes } from "../cluster/harness/fixtures";

const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
const core = config.makeApiClient(CoreV1Api);
const batch = config.makeApiClient(BatchV1Api);
const custom = config.makeApiClient(CustomObjectsApi);
const GI = 1024 ** 3;
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(config, "preflight");
});

const noPlacement: ClusterSpec = { nodeSelector: {}, tolerations: [], protected: false };

function workload(name: string, overrides: Partial<ManifestInput> = {}, ns = namespace): KubernetesObject {
  return buildWorkload({
    name,
    namespace: ns,
    image: "trainer:1",
    command: ["python", "/workspace/.parity/train.py"],
    env: { SEED: "1" },
    workingDir: "/workspace",
    limits: { memoryBytes: 2 * GI, nanoCpus: 1e9, shmBytes: 256 * 1024 ** 2, gpu: 0 },
    profileName: "cluster-test",
    runId: `${name}-run`,
    notebook: "notebooks/train.ipynb",
    cluster: noPlacement,
    ...overrides,
  });
}

function distributed(kind: DistributedSpec["kind"], workers: number): ClusterSpec {
  const workerLimits = { memoryBytes: GI, milliCpu: 500, nanoCpus: 5e8, gpu: 0, shmBytes: 64 * 1024 ** 2 };
  return { ...noPlacement, distributed: { kind, workers, workerLimits } };
}

async function createCustom(object: KubernetesObject, dryRun?: "All"): Promise<KubernetesObject> {
  const resource = workloadResource(object.kind as "PyTorchJob" | "TFJob");
  return (await custom.createNamespacedCustomObject({
    group: resource.group,
    version: resource.version,
    plural: resource.plural,
    namespace: object.metadata?.namespace ?? namespace,
    body: object,
    fieldValidation: "Strict",
    ...(dryRun ? { dryRun } : {}),
  })) as KubernetesObject;
}

/** The spec as sent plus the one default the Training Operator's CRD schema adds (runPolicy.suspend). */
function withCrdDefaults(job: KubernetesObject): unknown {
  const { spec } = job as KubernetesObject & { spec: { runPolicy: object } };
  return { ...spec, runPolicy: { ...spec.runPolicy, suspend: false } };
}

/** The pod of a run, found by the labels buildWorkload puts on every pod template. */
function podOf(runId: string, ns = namespace): Promise<V1Pod> {
  return until(`pod of ${runId}`, async () => {
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: runSelector(runId) });
    return pods.items[0];
  });
}

function failedScheduling(pod: string): Promise<CoreV1Event> {
  return until(`FailedScheduling for ${pod}`, async () => {
    const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${pod}` });
    return events.items.find((event) => event.reason === "FailedScheduling");
  });
}

/** The API server's answer to a pod made from the workload's template: refused by admission, or created. */
async function admissionOf(job: KubernetesObject, ns: string): Promise<string> {
  const template = (job as V1Job).spec?.template;
  try {
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { generateName: "admission-" }, spec: template?.spec },
      dryRun: "All",
    });
    return "admitted";
  } catch (error) {
    if (error instanceof ApiException) return String(error.body);
    throw error;
  }
}

describe("manifests against the real API server", () => {
  it("creates the Job buildWorkload makes, with strict field validation, and keeps it as built", async () => {
    const job = workload("plain");
    const created = await batch.createNamespacedJob({
      namespace,
      body: job as V1Job,
      fieldValidation: "Strict",
    });
    const sent = (job as V1Job).spec?.template;
    expect(created.metadata?.labels).toEqual(job.metadata?.labels);
    expect(created.metadata?.annotations).toEqual(job.metadata?.annotations);
    expect(created.spec?.backoffLimit).toBe(0);
    expect(created.spec?.template.metadata?.labels).toMatchObject(
      sent?.metadata?.labels ?? { missing: true },
    );
    const container = created.spec?.template.spec?.containers[0];
    expect(container?.resources).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: { cpu: "1", memory: "2Gi" },
    });
    expect(created.spec?.template.spec?.volumes?.[0]?.emptyDir).toEqual({
      medium: "Memory",
      sizeLimit: "256Mi",
    });
    // The Job controller makes its pod from the template: our labels and annotation are on it.
    const pod = await podOf("plain-run");
    expect(pod.metadata?.annotations?.["parity.dev/notebook"]).toBe("notebooks/train.ipynb");
    expect(pod.spec?.containers[0]?.name).toBe("main");
  });

  it("creates a PyTorchJob against the real CRD with nothing pruned, and the operator makes Master and Worker pods", async () => {
    const job = workload("torch", { cluster: distributed("PyTorchJob", 2) });
    const created = (await createCustom(job)) as KubernetesObject & { spec?: unknown };
    // Unknown fields would be refused (Strict) or pruned by the structural schema: compare the spec.
    expect(created.spec).toEqual(withCrdDefaults(job));
    const pods = await until("master and 2 workers", async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: runSelector("torch-run") });
      return list.items.length === 3 ? list.items : undefined;
    });
    const roles = pods.map((pod) => pod.metadata?.labels?.["training.kubeflow.org/replica-type"]).sort();
    expect(roles).toEqual(["master", "worker", "worker"]);
    const worker = pods.find((pod) => pod.metadata?.name === "torch-worker-0");
    expect(worker?.spec?.containers[0]?.name).toBe("pytorch");
    expect(worker?.spec?.containers[0]?.resources?.limits).toEqual({ cpu: "500m", memory: "1Gi" });
  });

  it("has a TFJob accepted by the API server (dry run, strict)", async () => {
    const job = workload("tf", { cluster: distributed("TFJob", 1) });
    const accepted = (await createCustom(job, "All")) as KubernetesObject & { spec?: unknown };
    expect(accepted.spec).toEqual(withCrdDefaults(job));
  });
});

describe("preflight against the real scheduler", () => {
  it("predicts 16 GPUs as InsufficientGpu, and the scheduler leaves the pod Pending", async () => {
    const job = workload("sixteen", {
      limits: { memoryBytes: 2 * GI, nanoCpus: 1e9, shmBytes: GI / 4, gpu: 16 },
    });
    const prediction = await preflight(config, namespace, job);
    expect(prediction.schedulable).toBe(false);
    expect(prediction.problems.map((p) => [p.code, p.message])).toEqual([
      ["InsufficientGpu", `16 GPUs requested; the largest node has 8 allocatable (${gpuNodes.h100.name}).`],
    ]);
    await batch.createNamespacedJob({ namespace, body: job as V1Job });
    const pod = await podOf("sixteen-run");
    const event = await failedScheduling(pod.metadata?.name ?? "");
    expect(event.message).toMatch(/Insufficient nvidia\.com\/gpu/);
    const current = await core.readNamespacedPod({ namespace, name: pod.metadata?.name ?? "" });
    expect(current.status?.phase).toBe("Pending");
    expect(current.spec?.nodeName).toBeUndefined();
  });

  it("predicts the untolerated taint of the 8-GPU node by name, and the scheduler agrees", async () => {
    const job = workload("eight", {
      limits: { memoryBytes: 2 * GI, nanoCpus: 1e9, shmBytes: GI / 4, gpu: 8 },
    });
    const prediction = await preflight(config, namespace, job);
    expect(prediction.problems.map((p) => p.code)).toEqual(["UntoleratedTaint"]);
    expect(prediction.problems[0]?.message).toContain(
      `(${gpuNodes.h100.name}) has the taint nvidia.com/gpu=present:NoSchedule`,
    );
    expect(prediction.problems[0]?.snippet?.yaml).toContain(
      '    - key: nvidia.com/gpu\n      operator: Equal\n      value: "present"\n      effect: NoSchedule',
    );
    await batch.createNamespacedJob({ namespace, body: job as V1Job });
    const pod = await podOf("eight-run");
    expect((await failedScheduling(pod.metadata?.name ?? "")).message).toMatch(/untolerated taint/);
  });

  it("predicts QuotaExceeded from a ResourceQuota the job would exceed, as admission then refuses", async () => {
    const ns = await freshNamespace(config, "quota");
    await core.createNamespacedResourceQuota({
      namespace: ns,
      body: {
        metadata: { name: "team-quota" },
        spec: { hard: { "requests.cpu": "1500m", "limits.memory": "4Gi" } },
      },
    });
    // The quota controller fills status.hard; until then admission does not enforce it either.
    await until("quota status", async () =>
      (await core.readNamespacedResourceQuota({ namespace: ns, name: "team-quota" })).status?.hard
        ? true
        : undefined,
    );
    const job = workload(
      "greedy",
      { limits: { memoryBytes: 8 * GI, nanoCpus: 2e9, shmBytes: GI, gpu: 0 } },
      ns,
    );
    const prediction = await preflight(config, ns, job);
    expect(prediction.schedulable).toBe(false);
    expect(prediction.problems.filter((p) => p.code === "QuotaExceeded").map((p) => p.message)).toEqual([
      `ResourceQuota team-quota in ${ns}: limits.memory would be 8 GiB of 4 GiB (0 B used + 8 GiB for this job); the API server refuses the pods that do not fit.`,
      `ResourceQuota team-quota in ${ns}: requests.cpu would be 2 of 1500m (0 used + 2 for this job); the API server refuses the pods that do not fit.`,
    ]);
    expect(await admissionOf(job, ns)).toMatch(/exceeded quota: team-quota/);
  });

  it("predicts a LimitRange max per Container as LimitRangeViolation, as admission then refuses", async () => {
    const ns = await freshNamespace(config, "limits");
    await core.createNamespacedLimitRange({
      namespace: ns,
      body: {
        metadata: { name: "container-max" },
        spec: { limits: [{ type: "Container", max: { memory: "1Gi" } }] },
      },
    });
    const job = workload("big", {}, ns);
    const prediction = await preflight(config, ns, job);
    expect(prediction.problems).toMatchObject([
      {
        code: "LimitRangeViolation",
        severity: "error",
        message: `LimitRange container-max in ${ns} allows a Container at most 1 GiB memory; the job's pod asks for 2 GiB.`,
        fix: "Set resources.memory to at most 1Gi in parity.yaml, or ask the namespace admin to raise container-max.",
      },
    ]);
    expect(await admissionOf(job, ns)).toMatch(/maximum memory usage per Container is 1Gi/);
  });

  it("reads the GPU of the nodes a GPU job lands on from their labels, to name it in parity.yaml", async () => {
    const job = workload("one-gpu", {
      limits: { memoryBytes: 2 * GI, nanoCpus: 1e9, shmBytes: GI / 4, gpu: 1 },
    });
    // What the nodes' GPUs say, apart from whether they are free now (other suites hold some).
    const gpuFacts = (problems: Diagnosis[]) =>
      problems.filter((p) => /^Gpu(FromNodes|PoolMixed|SmallerThanProfile|LargerThanProfile)$/.test(p.code));
    const prediction = await preflight(config, namespace, job);
    expect(gpuFacts(prediction.problems).map((p) => [p.code, p.severity, p.snippet?.yaml])).toEqual([
      ["GpuFromNodes", "info", `resources:\n  gpuProduct: "${gpuNodes.a100.product}"`],
    ]);
    // Named in the profile as the nodes have it: nothing to say.
    const named = productionGpuOf({ product: gpuNodes.a100.product });
    expect(gpuFacts((await preflight(config, namespace, job, undefined, named)).problems)).toEqual([]);
  });

  it("reads GPU holders from the pods on the nodes", async () => {
    const facts = await clusterFacts(config, namespace);
    expect(facts.unchecked).toEqual([]);
    expect(facts.nodes.map((node) => node.name).sort()).toEqual(
      expect.arrayContaining([gpuNodes.a100.name, gpuNodes.h100.name]),
    );
    const a100 = facts.nodes.find((node) => node.name === gpuNodes.a100.name);
    expect(a100?.allocatable.gpu).toBe(gpuNodes.a100.gpus);
    expect(a100?.allocated.gpu).toBe((a100?.gpuHolders ?? []).reduce((sum, holder) => sum + holder.gpu, 0));
  });

  it("turns a 403 on nodes, pods, quotas and limit ranges into warnings saying what was not checked", async () => {
    const restricted = kubeConfig(cluster.kubeconfigs.restricted);
    const prediction = await preflight(restricted, namespace, workload("blind"));
    expect(prediction.schedulable).toBe(true);
    expect(prediction.fits).toEqual([]);
    expect(prediction.problems.map((p) => [p.code, p.severity, p.message])).toEqual([
      [
        "PreflightIncomplete",
        "warning",
        "Could not check whether any node can hold the job: you may not list nodes.",
      ],
      [
        "PreflightIncomplete",
        "warning",
        "Could not check how much of each node is already taken: you may not list pods in all namespaces.",
      ],
      [
        "PreflightIncomplete",
        "warning",
        `Could not check the namespace's ResourceQuota: you may not list resourcequotas in ${namespace}.`,
      ],
      [
        "PreflightIncomplete",
        "warning",
        `Could not check the namespace's LimitRange: you may not list limitranges in ${namespace}.`,
      ],
    ]);
  });
});
