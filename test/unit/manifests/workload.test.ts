import { load, loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import {
  buildWorkload,
  jobNameFor,
  labelValue,
  podDemands,
  renderManifest,
  runSelector,
  workloadResource,
  type ManifestInput,
} from "../../../src/core/manifests";
import type { ClusterSpec } from "../../../src/core/profile";

/** The built object read freely: its shape is what these tests check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reads nested fields of a plain object
type Loose = Record<string, any>;

const GI = 1024 ** 3;
const MI = 1024 ** 2;

const cluster: ClusterSpec = {
  namespace: "ml",
  nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB" },
  tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
  protected: true,
};

function input(overrides: Partial<ManifestInput> = {}): ManifestInput {
  return {
    name: "train-churn",
    namespace: "ml",
    image: "registry.example.com/ml/churn:abc123",
    command: ["python", "/workspace/.parity/train.py"],
    env: { TOKENIZERS_PARALLELISM: "false", SEED: "1" },
    workingDir: "/workspace/notebooks",
    limits: { memoryBytes: 8 * GI, nanoCpus: 2_500_000_000, shmBytes: 512 * MI, gpu: 1 },
    profileName: "churn",
    runId: "train-20250101-120000-ab12",
    notebook: "notebooks/train.ipynb",
    cluster,
    ...overrides,
  };
}

describe("buildWorkload: a batch/v1 Job", () => {
  const yaml = renderManifest([buildWorkload(input())]);

  it("renders exactly the Job a team could commit", () => {
    expect(yaml).toBe(`apiVersion: batch/v1
kind: Job
metadata:
  name: train-churn
  namespace: ml
  labels:
    app.kubernetes.io/managed-by: parity
    parity.dev/run: train-20250101-120000-ab12
    parity.dev/profile: churn
  annotations:
    parity.dev/notebook: notebooks/train.ipynb
spec:
  backoffLimit: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/managed-by: parity
        parity.dev/run: train-20250101-120000-ab12
        parity.dev/profile: churn
      annotations:
        parity.dev/notebook: notebooks/train.ipynb
    spec:
      restartPolicy: Never
      containers:
        - name: main
          image: registry.example.com/ml/churn:abc123
          command:
            - python
            - /workspace/.parity/train.py
          workingDir: /workspace/notebooks
          env:
            - name: TOKENIZERS_PARALLELISM
              value: "false"
            - name: SEED
              value: "1"
          resources:
            requests:
              cpu: 2500m
              memory: 8Gi
              nvidia.com/gpu: "1"
            limits:
              cpu: 2500m
              memory: 8Gi
              nvidia.com/gpu: "1"
          volumeMounts:
            - name: dshm
              mountPath: /dev/shm
            - name: work
              mountPath: /workspace/notebooks
      volumes:
        - name: dshm
          emptyDir:
            medium: Memory
            sizeLimit: 512Mi
        - name: work
          emptyDir: {}
      nodeSelector:
        nvidia.com/gpu.product: NVIDIA-A100-SXM4-40GB
      tolerations:
        - key: nvidia.com/gpu
          operator: Exists
          effect: NoSchedule
`);
  });

  it("round-trips through js-yaml to the object it was made from", () => {
    expect(load(yaml)).toEqual(buildWorkload(input()));
  });

  it("leaves out what is empty: no GPU resource at 0, no env, selector or tolerations, no run label", () => {
    const job = buildWorkload(
      input({
        env: {},
        runId: undefined,
        limits: { memoryBytes: 1536 * MI, nanoCpus: 2e9, shmBytes: 64 * MI, gpu: 0 },
        cluster: { nodeSelector: {}, tolerations: [], protected: false },
      }),
    );
    const text = renderManifest([job]);
    // The one empty object kept is the scratch volume's source, which means something.
    expect(text.replace("emptyDir: {}", "emptyDir: scratch")).not.toMatch(
      /nvidia\.com\/gpu|env:|nodeSelector|tolerations|parity\.dev\/run|\{\}|\[\]|status/,
    );
    expect(text).toContain('              cpu: "2"\n              memory: 1536Mi\n');
  });

  it("writes memory that is not a whole number of Mi in bytes, cpu rounded up to millicores", () => {
    const job = buildWorkload(
      input({ limits: { memoryBytes: 1_000_000_000, nanoCpus: 1_500_001, shmBytes: MI, gpu: 0 } }),
    );
    const text = renderManifest([job]);
    expect(text).toContain("cpu: 2m\n");
    expect(text).toContain('memory: "1000000000"\n');
  });
});

describe("buildWorkload: Kubeflow training jobs", () => {
  const workerLimits = { memoryBytes: 32 * GI, milliCpu: 8000, nanoCpus: 8e9, gpu: 4, shmBytes: 2 * GI };

  it("makes a PyTorchJob with one Master on the profile's limits and Workers on theirs", () => {
    const job = buildWorkload(
      input({ cluster: { ...cluster, distributed: { kind: "PyTorchJob", workers: 3, workerLimits } } }),
    ) as unknown as Loose;
    expect(job.apiVersion).toBe("kubeflow.org/v1");
    expect(job.kind).toBe("PyTorchJob");
    expect(Object.keys(job)).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(job.spec.runPolicy).toEqual({ cleanPodPolicy: "None", backoffLimit: 0 });
    const { Master, Worker } = job.spec.pytorchReplicaSpecs;
    expect(Object.keys(job.spec.pytorchReplicaSpecs)).toEqual(["Master", "Worker"]);
    expect([Master.replicas, Worker.replicas]).toEqual([1, 3]);
    expect([Master.restartPolicy, Worker.restartPolicy]).toEqual(["Never", "Never"]);
    const master = Master.template.spec.containers[0];
    const worker = Worker.template.spec.containers[0];
    expect([master.name, worker.name]).toEqual(["pytorch", "pytorch"]);
    expect(master.resources.limits).toEqual({ cpu: "2500m", memory: "8Gi", "nvidia.com/gpu": "1" });
    expect(worker.resources.limits).toEqual({ cpu: "8", memory: "32Gi", "nvidia.com/gpu": "4" });
    expect(worker.resources.requests).toEqual(worker.resources.limits);
    expect(Worker.template.spec.volumes[0].emptyDir).toEqual({ medium: "Memory", sizeLimit: "2Gi" });
    expect(Worker.template.metadata.labels["parity.dev/run"]).toBe("train-20250101-120000-ab12");
    expect(Worker.template.spec.tolerations).toEqual(cluster.tolerations);
  });

  it("makes a TFJob with a Chief and Workers running container tensorflow", () => {
    const job = buildWorkload(
      input({ cluster: { ...cluster, distributed: { kind: "TFJob", workers: 2, workerLimits } } }),
    ) as unknown as Loose;
    expect(job.kind).toBe("TFJob");
    expect(job.spec.pytorchReplicaSpecs).toBeUndefined();
    expect(Object.keys(job.spec.tfReplicaSpecs)).toEqual(["Chief", "Worker"]);
    expect(job.spec.tfReplicaSpecs.Chief.template.spec.containers[0].name).toBe("tensorflow");
    expect(job.spec.tfReplicaSpecs.Worker.replicas).toBe(2);
  });

  it("renders several objects separated by ---, each loadable", () => {
    const pytorch = buildWorkload(
      input({ cluster: { ...cluster, distributed: { kind: "PyTorchJob", workers: 1, workerLimits } } }),
    );
    const text = renderManifest([
      buildWorkload(input()),
      { ...pytorch, status: { conditions: [] } } as never,
    ]);
    const documents = loadAll(text) as Record<string, unknown>[];
    expect(documents.map((d) => d.kind)).toEqual(["Job", "PyTorchJob"]);
    expect(documents[1]).toEqual(pytorch);
    expect(text.split("\n").filter((line) => line === "---")).toHaveLength(1);
  });
});

describe("podDemands", () => {
  it("reads one pod for a Job", () => {
    expect(podDemands(buildWorkload(input()))).toEqual([
      {
        role: "job",
        count: 1,
        cpuMilli: 2500,
        memoryBytes: 8 * GI,
        gpu: 1,
        nodeSelector: cluster.nodeSelector,
        tolerations: cluster.tolerations,
      },
    ]);
  });

  it("reads each replica type with its count for a PyTorchJob", () => {
    const workerLimits = { memoryBytes: 16 * GI, milliCpu: 4000, nanoCpus: 4e9, gpu: 2, shmBytes: GI };
    const demands = podDemands(
      buildWorkload(
        input({ cluster: { ...cluster, distributed: { kind: "PyTorchJob", workers: 4, workerLimits } } }),
      ),
    );
    expect(demands.map(({ role, count, gpu, cpuMilli }) => ({ role, count, gpu, cpuMilli }))).toEqual([
      { role: "master", count: 1, gpu: 1, cpuMilli: 2500 },
      { role: "worker", count: 4, gpu: 2, cpuMilli: 4000 },
    ]);
  });

  it("counts a pod as its containers summed, or its largest init container, requests defaulting to limits", () => {
    const [demand] = podDemands({
      apiVersion: "batch/v1",
      kind: "Job",
      spec: {
        template: {
          spec: {
            initContainers: [{ name: "fetch", resources: { requests: { cpu: "3", memory: "1Gi" } } }],
            containers: [
              { name: "a", resources: { limits: { cpu: "1", memory: "2Gi" } } },
              { name: "b", resources: { requests: { cpu: "500m", memory: "1Gi", "nvidia.com/gpu": "2" } } },
            ],
          },
        },
      },
    } as never);
    expect(demand).toMatchObject({ cpuMilli: 3000, memoryBytes: 3 * GI, gpu: 2 });
  });
});

describe("names and labels", () => {
  it("makes DNS names that start with a letter and leave room for pod suffixes", () => {
    expect(jobNameFor("Notebooks/Train Model.ipynb")).toBe("notebooks-train-model-ipynb");
    expect(jobNameFor("2025 run")).toBe("run");
    expect(jobNameFor("Ünïcödé")).toBe("unicode");
    expect(jobNameFor("---")).toBe("parity-run");
    const long = jobNameFor("a".repeat(40) + "-" + "b".repeat(40));
    expect(long.length).toBeLessThanOrEqual(52);
    expect(long).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
  });

  it("keeps a long run id's unique end in the workload's name, so runs of one notebook never collide", () => {
    const notebook = "a-very-long-notebook-name-about-hyperparameter-sweeps";
    const first = jobNameFor(`${notebook}-20261129-111015-936e`);
    const second = jobNameFor(`${notebook}-20261129-111015-41c0`);
    expect(first).toBe("a-very-long-notebook-name-about-20261129-111015-936e");
    expect(first.length).toBeLessThanOrEqual(52);
    expect(second).not.toBe(first);
  });

  it("keeps the unique end of a long run id in its label", () => {
    const runId = `${"x".repeat(70)}-20250101-120000-ab12`;
    expect(labelValue(runId)).toHaveLength(63);
    expect(labelValue(runId).endsWith("-20250101-120000-ab12")).toBe(true);
    expect(runSelector("r1")).toBe("app.kubernetes.io/managed-by=parity,parity.dev/run=r1");
  });

  it("names the API resource of each kind", () => {
    expect(workloadResource("Job")).toEqual({
      group: "batch",
      version: "v1",
      plural: "jobs",
      apiVersion: "batch/v1",
    });
    expect(workloadResource("PyTorchJob").plural).toBe("pytorchjobs");
    expect(workloadResource("TFJob")).toMatchObject({ group: "kubeflow.org", plural: "tfjobs" });
  });
});
