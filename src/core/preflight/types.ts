import type { Diagnosis } from "../diagnosis/types";
import type { GpuDriverFacts } from "../parity/types";
import type { Toleration } from "../profile/types";

/** What each pod of one replica type asks for: the scheduler's view of a workload. */
export interface PodDemand {
  /** "job" for a plain Job's pod, else the replica type in lower case: "master", "chief", "worker". */
  role: string;
  /** How many such pods: the replica count. */
  count: number;
  /** Requests of the pod: the sum over its containers, or its largest init container if larger. */
  cpuMilli: number;
  memoryBytes: number;
  gpu: number;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeResources {
  cpuMilli: number;
  memoryBytes: number;
  gpu: number;
  pods: number;
}

/** A pod that holds GPUs on a node, so a busy cluster can say who has them. */
export interface GpuHolder {
  namespace: string;
  name: string;
  gpu: number;
  /** "PyTorchJob/train-x", "Job/etl"; undefined for a bare pod. */
  owner?: string;
}

export interface NodeFacts {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  ready: boolean;
  allocatable: NodeResources;
  /** Requests of the node's pods that have not finished (Succeeded and Failed pods free theirs). */
  allocated: NodeResources;
  gpuHolders?: GpuHolder[];
}

export interface QuotaFacts {
  name: string;
  hard: Record<string, string>;
  used: Record<string, string>;
}

/** One entry of a LimitRange's spec.limits, as the API returns it. */
export interface LimitRangeItem {
  type: string;
  max?: Record<string, string>;
  min?: Record<string, string>;
}

export interface LimitRangeFacts {
  name: string;
  limits: LimitRangeItem[];
}

export type FactSource = "nodes" | "pods" | "quotas" | "limitRanges";

export interface ClusterFacts {
  nodes: NodeFacts[];
  quotas: QuotaFacts[];
  limitRanges: LimitRangeFacts[];
  /** What could not be read (no permission): those checks are skipped, and the prediction says so. */
  unchecked: { source: FactSource; message: string; fix: string }[];
}

export interface Prediction {
  /** False when an error-severity problem means the workload would not (fully) schedule. */
  schedulable: boolean;
  problems: Diagnosis[];
  /** Per demand: the nodes that could take one such pod now. */
  fits: { role: string; nodes: string[] }[];
  /** The NVIDIA driver of the nodes the GPU pods can land on, where their labels say it. */
  gpuDriver?: GpuDriverFacts;
}
