import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadAllYaml,
  type V1CustomResourceDefinition,
  type V1Node,
} from "@kubernetes/client-node";
import type { ClusterState } from "./cluster.js";
import { waitUntil } from "./processes.js";

export function adminConfig(state: ClusterState): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(state.kubeconfigs.admin);
  return config;
}

/** The fake GPU nodes' facts, for tests that assert on them. */
export const gpuNodes = {
  a100: { name: "gpu-a100-4", gpus: 4, product: "NVIDIA-A100-SXM4-40GB" },
  h100: { name: "gpu-h100-8", gpus: 8, product: "NVIDIA-H100-80GB-HBM3" },
} as const;
export const cpuNodeNames = ["cpu-1", "cpu-2"] as const;
export const gpuTaint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;

function fakeNode(
  name: string,
  cpu: string,
  memory: string,
  gpu?: { count: number; product: string },
): V1Node {
  const resources: Record<string, string> = { cpu, memory, pods: "110", "ephemeral-storage": "100Gi" };
  const labels: Record<string, string> = {
    "kubernetes.io/hostname": name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    type: "kwok",
  };
  if (gpu) {
    resources["nvidia.com/gpu"] = String(gpu.count);
    labels["nvidia.com/gpu.present"] = "true";
    labels["nvidia.com/gpu.product"] = gpu.product;
    labels["nvidia.com/gpu.count"] = String(gpu.count);
  }
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
    },
    spec: gpu?.count === 8 ? { taints: [{ ...gpuTaint }] } : {},
    status: { capacity: resources, allocatable: resources },
  };
}

/** Two CPU nodes and two GPU nodes (4 and 8 GPUs; the larger one tainted), Ready via kwok. */
export async function installNodes(state: ClusterState): Promise<void> {
  const core = adminConfig(state).makeApiClient(CoreV1Api);
  const nodes = [
    ...cpuNodeNames.map((name) => fakeNode(name, "16", "64Gi")),
    fakeNode(gpuNodes.a100.name, "32", "256Gi", {
      count: gpuNodes.a100.gpus,
      product: gpuNodes.a100.product,
    }),
    fakeNode(gpuNodes.h100.name, "64", "512Gi", {
      count: gpuNodes.h100.gpus,
      product: gpuNodes.h100.product,
    }),
  ];
  for (const node of nodes) await core.createNode({ body: node });
  // Ready, and the node lifecycle controller has lifted its not-ready taint: pods can land.
  await waitUntil(
    "fake nodes Ready",
    async () => {
      const list = await core.listNode();
      return (
        list.items.length === nodes.length &&
        list.items.every(
          (node) =>
            node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") &&
            !node.spec?.taints?.some((t) => t.key.startsWith("node.kubernetes.io/")),
        )
      );
    },
    undefined,
    90_000,
  );
}

/** Creates CRDs through the API (too large for client-side apply) and waits until Established. */
/**
 * Argo's workflow-controller reads its configuration from a ConfigMap in its namespace (the admin
 * kubeconfig's, default): an empty one keeps every default.
 */
export async function createControllerConfigMap(state: ClusterState): Promise<void> {
  await adminConfig(state)
    .makeApiClient(CoreV1Api)
    .createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "workflow-controller-configmap" }, data: {} },
    });
}

export async function installCrds(state: ClusterState, yamlTexts: string[]): Promise<void> {
  const api = adminConfig(state).makeApiClient(ApiextensionsV1Api);
  // client-node's loader maps `x-kubernetes-*` keys onto its models; plain YAML objects would lose them.
  const documents: unknown[] = yamlTexts.flatMap((text) => loadAllYaml(text));
  const crds = documents.filter(
    (d): d is V1CustomResourceDefinition => (d as { kind?: string }).kind === "CustomResourceDefinition",
  );
  await Promise.all(crds.map((body) => api.createCustomResourceDefinition({ body })));
  for (const crd of crds) {
    const name = crd.metadata?.name ?? "";
    await waitUntil(
      `CRD ${name} Established`,
      async () => {
        const current = await api.readCustomResourceDefinition({ name });
        return (
          current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false
        );
      },
      undefined,
      60_000,
    );
  }
}

/** Pods are admitted only once the namespace's default ServiceAccount exists. */
export async function waitForDefaultServiceAccount(state: ClusterState, namespace: string): Promise<void> {
  const core = adminConfig(state).makeApiClient(CoreV1Api);
  await waitUntil(
    `ServiceAccount ${namespace}/default`,
    async () =>
      (await core.readNamespacedServiceAccount({ name: "default", namespace })).metadata?.name === "default",
    undefined,
    60_000,
  );
}

/**
 * Gives a pod's container a log, served through the API's `pods/log` by kwok: the lines go to a
 * file in the CRI log format and a kwok `Logs` object points the pod at it.
 */
export async function setPodLog(
  state: ClusterState,
  namespace: string,
  pod: string,
  container: string,
  lines: string[],
): Promise<string> {
  const [file] = await setPodLogs(state, namespace, pod, [{ container, lines }]);
  return file!;
}

/** One container's log lines for `setPodLogs`, on its stdout unless said otherwise. */
export interface ContainerLog {
  container: string;
  lines: string[];
  stream?: "stdout" | "stderr";
}

/**
 * `setPodLog` for several containers of one pod at once (kwok has one `Logs` object per pod).
 * Returns the files, in the order given.
 */
export async function setPodLogs(
  state: ClusterState,
  namespace: string,
  pod: string,
  containers: ContainerLog[],
): Promise<string[]> {
  const stamp = () => new Date().toISOString().replace("Z", "000000Z");
  const files = containers.map(({ container, lines, stream = "stdout" }) => {
    const file = join(state.podLogDir, `${namespace}_${pod}_${container}.log`);
    writeFileSync(file, lines.map((line) => `${stamp()} ${stream} F ${line}\n`).join(""));
    return file;
  });
  await adminConfig(state)
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: "kwok.x-k8s.io",
      version: "v1alpha1",
      namespace,
      plural: "logs",
      body: {
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "Logs",
        metadata: { name: pod, namespace },
        spec: {
          logs: containers.map(({ container }, index) => ({
            containers: [container],
            logsFile: files[index],
            follow: true,
          })),
        },
      },
    });
  return files;
}

/** Labels and annotations that make kwok fail a Running pod as OOMKilled with exit code 137. */
export const oomKilled = {
  labels: { "pod-container-running-failed.stage.kwok.x-k8s.io": "true" },
  annotations: {
    "pod-container-running-failed.stage.kwok.x-k8s.io/reason": "OOMKilled",
    "pod-container-running-failed.stage.kwok.x-k8s.io/exit-code": "137",
    "pod-container-running-failed.stage.kwok.x-k8s.io/message": "Container exceeded its memory limit",
  },
} as const;

/** The label that makes kwok complete a bare (not Job-owned) Running pod with exit code 0. */
export const completes = { labels: { "parity.test/complete": "true" } } as const;
