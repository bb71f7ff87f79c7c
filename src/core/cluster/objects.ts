import { GPU_RESOURCE } from "../manifests/podTemplate";

/**
 * The fields of Kubernetes objects the Cluster view reads, as informers hand them over. Structural
 * on purpose: the Cluster view's model stays free of client-node and of vscode.
 */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** As the API sends them (assignable to client-node's V1ObjectMeta, so informers can be typed with these). */
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

interface Resources {
  limits?: Record<string, string | number>;
  requests?: Record<string, string | number>;
}

export interface PodItem {
  metadata?: ObjectMeta;
  spec?: {
    nodeName?: string;
    containers?: { name?: string; resources?: Resources }[];
    initContainers?: { name?: string; resources?: Resources }[];
  };
  status?: { phase?: string };
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeItem {
  metadata?: ObjectMeta;
  spec?: { taints?: Taint[]; unschedulable?: boolean };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: { type: string; status: string }[];
  };
}

export interface WorkloadItem {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  status?: {
    conditions?: { type: string; status: string }[];
    active?: number;
    succeeded?: number;
    failed?: number;
  };
}

export interface NamespaceItem {
  metadata?: ObjectMeta;
  status?: { phase?: string };
}

/** A whole-number extended resource ("4"); anything else (absent, malformed) counts as none. */
export function wholeCount(value: string | number | undefined): number {
  const count = typeof value === "number" ? value : Number.parseInt(value ?? "", 10);
  return Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
}

function containerGpus(resources: Resources | undefined): number {
  // Extended resources must have requests == limits; either one says it.
  return wholeCount(resources?.limits?.[GPU_RESOURCE] ?? resources?.requests?.[GPU_RESOURCE]);
}

/** GPUs a pod holds on its node: its containers' sum, or an init container's, whichever is larger (as the scheduler counts). */
export function podGpus(pod: PodItem): number {
  let sum = 0;
  for (const container of pod.spec?.containers ?? []) sum += containerGpus(container.resources);
  let init = 0;
  for (const container of pod.spec?.initContainers ?? [])
    init = Math.max(init, containerGpus(container.resources));
  return Math.max(sum, init);
}

/** Succeeded and Failed pods hold nothing any more. */
export function podHoldsResources(pod: PodItem): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && Boolean(pod.spec?.nodeName);
}

export type WorkloadStatus = "pending" | "running" | "succeeded" | "failed";

/**
 * A Job's or a Kubeflow training job's state, from its conditions (the newest true one wins) and
 * counts, and from its pods where they are known: a Job counts a pod waiting for a node as
 * active, so it is Pending, not Running, while every pod of it is still Pending.
 */
export function workloadStatus(workload: WorkloadItem, pods: readonly PodItem[] = []): WorkloadStatus {
  const conditions = (workload.status?.conditions ?? []).filter((condition) => condition.status === "True");
  const types = new Set(conditions.map((condition) => condition.type));
  if (types.has("Failed")) return "failed";
  if (types.has("Complete") || types.has("Succeeded")) return "succeeded";
  if (!types.has("Running") && (workload.status?.active ?? 0) === 0) return "pending";
  const live = pods.filter((pod) => pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed");
  if (live.length > 0 && live.every((pod) => (pod.status?.phase ?? "Pending") === "Pending"))
    return "pending";
  return "running";
}

/** "Job/x" owner of a pod: its controller, else its first owner. */
export function podOwner(pod: PodItem): string | undefined {
  const owners = pod.metadata?.ownerReferences ?? [];
  const owner = owners.find((reference) => reference.controller) ?? owners[0];
  return owner && `${owner.kind}/${owner.name}`;
}

export function nodeReady(node: NodeItem): boolean {
  return (node.status?.conditions ?? []).some(
    (condition) => condition.type === "Ready" && condition.status === "True",
  );
}

export function describeTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`;
}
