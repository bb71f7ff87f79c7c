import { mkdtempSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1Job,
} from "@kubernetes/client-node";
import { RUNS_DIR } from "../../../src/app/store/runRef";
import type { JobLimits, JobSpec, RunResult, RunStatus } from "../../../src/core/job/types";
import { buildWorkload, podDemands, workloadResource } from "../../../src/core/manifests";
import type { ClusterSpec } from "../../../src/core/profile/types";
import type { ClusterRunSpec } from "../../../src/targets/kube/clusterRun";
import { connectCluster, type KubeConnection } from "../../../src/targets/kube/connection";
import { HOLD_LABEL } from "../../cluster/harness/assets.js";
import { freshNamespace, kubeConfig } from "../../cluster/harness/context.js";

const MiB = 1024 * 1024;
export const limits = (over: Partial<JobLimits> = {}): JobLimits => ({
  memoryBytes: 512 * MiB,
  nanoCpus: 1e9,
  shmBytes: 64 * MiB,
  gpu: 0,
  ...over,
});

export async function connect(kubeconfig: string, namespace: string): Promise<KubeConnection> {
  return connectCluster({
    env: { KUBECONFIG: kubeconfig },
    homeDir: mkdtempSync(join(tmpdir(), "h3-home-")),
    namespace,
  });
}

/** A job as the CLI would make it from a notebook, in a fresh workspace folder. */
export function jobSpec(name: string, jobLimits = limits()): JobSpec {
  const workspaceDir = mkdtempSync(join(tmpdir(), "h3-workspace-"));
  return {
    name,
    notebookFile: join(workspaceDir, "train.ipynb"),
    workspaceDir,
    workingDir: ".",
    outputsDir: join(workspaceDir, "outputs"),
    image: "registry.example.com/team/train:3f2a",
    command: ["python", "/workspace/.parity/train.py"],
    env: {},
    limits: jobLimits,
    explainTraceback: (output) => {
      const last = /^(\w+Error): (.*)$/m.exec(output);
      return last ? { exception: last[1]!, message: last[2]! } : undefined;
    },
  };
}

type Template = { metadata?: { labels?: object; annotations?: object } };
/** A built workload, typed just enough for a test to reach its pod templates. */
export type EditableWorkload = KubernetesObject & {
  spec: { template: Template; pytorchReplicaSpecs: Record<string, { template: Template }> };
};

/** What the lead's session hands to startClusterRun: the manifest built from the profile, its ref and demands. */
export function runSpec(
  conn: KubeConnection,
  job: JobSpec,
  options: {
    runId: string;
    cluster?: Partial<ClusterSpec>;
    edit?: (workload: EditableWorkload) => void;
  },
): ClusterRunSpec {
  const workload = buildWorkload({
    name: options.runId,
    namespace: conn.target.namespace,
    image: job.image,
    command: job.command,
    env: job.env,
    workingDir: "/workspace",
    limits: job.limits,
    profileName: "default",
    runId: options.runId,
    notebook: "train.ipynb",
    cluster: { nodeSelector: {}, tolerations: [], protected: false, ...options.cluster },
  }) as EditableWorkload;
  options.edit?.(workload);
  const kind = (workload.kind ?? "Job") as ClusterRunSpec["ref"]["kind"];
  return {
    job,
    workload,
    demands: podDemands(workload),
    ref: {
      context: conn.target.context,
      server: conn.target.server,
      namespace: conn.target.namespace,
      kind,
      apiVersion: workloadResource(kind).apiVersion,
      name: options.runId,
    },
  };
}

/** Adds labels and annotations to every pod template of a workload (kwok's stages read them). */
export function podMetadata(
  template: { metadata?: { labels?: object; annotations?: object } },
  extra: { labels?: object; annotations?: object },
): void {
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, ...extra.labels },
    annotations: { ...template.metadata?.annotations, ...extra.annotations },
  };
}

/** A fresh namespace labelled parity.dev/protected=true. */
export async function protectedNamespace(admin: KubeConfig, prefix: string): Promise<string> {
  const namespace = await freshNamespace(admin, prefix);
  await admin.makeApiClient(CoreV1Api).patchNamespace({
    name: namespace,
    body: [{ op: "add", path: "/metadata/labels/parity.dev~1protected", value: "true" }],
  });
  return namespace;
}

/**
 * A cluster run as a parity run that went away leaves it: its Job in `namespace`, its pod held
 * Running (HOLD_LABEL), and its record in `job`'s workspace with no follower: running, unless
 * `status` says it ended.
 */
export async function recordedClusterRun(
  kubeconfig: string,
  namespace: string,
  runId: string,
  { job = jobSpec(runId), status = "running" }: { job?: JobSpec; status?: RunStatus } = {},
): Promise<{ workspaceDir: string; name: string }> {
  const spec = runSpec(await connect(kubeconfig, namespace), job, {
    runId,
    edit: (workload) => podMetadata(workload.spec.template, { labels: { [HOLD_LABEL]: "true" } }),
  });
  const created = await kubeConfig(kubeconfig)
    .makeApiClient(BatchV1Api)
    .createNamespacedJob({ namespace, body: spec.workload as V1Job });
  const result: RunResult = {
    runId,
    kind: "job",
    target: "cluster",
    status,
    exitCode: status === "succeeded" ? 0 : null,
    oomKilled: false,
    image: job.image,
    notebook: job.notebookFile,
    startedAt: new Date().toISOString(),
    memoryLimitBytes: job.limits.memoryBytes,
    diagnosis: [],
    cluster: { ...spec.ref, uid: created.metadata?.uid },
    timeline: [],
  };
  const dir = join(job.workspaceDir, RUNS_DIR, runId);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "run.json"), JSON.stringify(result));
  return { workspaceDir: job.workspaceDir, name: spec.ref.name };
}
