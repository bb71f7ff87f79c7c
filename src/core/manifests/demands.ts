import type { KubernetesObject, V1Container, V1PodSpec, V1PodTemplateSpec } from "@kubernetes/client-node";
import type { PodDemand } from "../preflight/types";
import { quantityToBytes, quantityToMilliCpu } from "../profile/quantity";
import type { Toleration } from "../profile/types";
import { GPU_RESOURCE } from "./podTemplate";

interface WorkloadShape extends KubernetesObject {
  spec?: {
    template?: V1PodTemplateSpec;
    parallelism?: number;
    pytorchReplicaSpecs?: Record<string, { replicas?: number; template?: V1PodTemplateSpec }>;
    tfReplicaSpecs?: Record<string, { replicas?: number; template?: V1PodTemplateSpec }>;
  };
}

/** What each kind of pod of a workload asks the scheduler for, replica counts included. */
export function podDemands(workload: KubernetesObject): PodDemand[] {
  const { spec } = workload as WorkloadShape;
  const replicaSpecs = spec?.pytorchReplicaSpecs ?? spec?.tfReplicaSpecs;
  if (replicaSpecs) {
    return Object.entries(replicaSpecs).map(([type, replica]) =>
      podDemand(type.toLowerCase(), replica.replicas ?? 1, replica.template?.spec),
    );
  }
  return [podDemand("job", spec?.parallelism ?? 1, spec?.template?.spec)];
}

/** The pod's requests as the scheduler counts them: containers summed, or the largest init container. */
export function podDemand(role: string, count: number, pod: V1PodSpec | undefined): PodDemand {
  const sum = (pod?.containers ?? []).map(containerRequests).reduce(add, none());
  const demand = (pod?.initContainers ?? []).map(containerRequests).reduce(largest, sum);
  return {
    role,
    count,
    ...demand,
    nodeSelector: pod?.nodeSelector ?? {},
    tolerations: (pod?.tolerations ?? []) as Toleration[],
  };
}

interface Requests {
  cpuMilli: number;
  memoryBytes: number;
  gpu: number;
}

function none(): Requests {
  return { cpuMilli: 0, memoryBytes: 0, gpu: 0 };
}

/** A request left out defaults to the limit, as the API server does. */
export function containerRequests(container: V1Container): Requests {
  const amount = (name: string) =>
    container.resources?.requests?.[name] ?? container.resources?.limits?.[name];
  const cpu = amount("cpu");
  const memory = amount("memory");
  const gpu = amount(GPU_RESOURCE);
  return {
    cpuMilli: cpu === undefined ? 0 : quantityToMilliCpu(cpu),
    memoryBytes: memory === undefined ? 0 : quantityToBytes(memory),
    gpu: gpu === undefined ? 0 : Number(gpu),
  };
}

function add(a: Requests, b: Requests): Requests {
  return {
    cpuMilli: a.cpuMilli + b.cpuMilli,
    memoryBytes: a.memoryBytes + b.memoryBytes,
    gpu: a.gpu + b.gpu,
  };
}

function largest(a: Requests, b: Requests): Requests {
  return {
    cpuMilli: Math.max(a.cpuMilli, b.cpuMilli),
    memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
    gpu: Math.max(a.gpu, b.gpu),
  };
}
