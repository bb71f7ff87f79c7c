import type { V1LimitRange, V1Node, V1Pod, V1ResourceQuota } from "@kubernetes/client-node";
import { GPU_RESOURCE } from "../manifests/podTemplate";
import { podDemand } from "../manifests/demands";
import { quantityToBytes, quantityToMilliCpu } from "../profile/quantity";
import type { GpuHolder, LimitRangeFacts, NodeFacts, NodeResources, QuotaFacts } from "./types";

/**
 * Nodes as the scheduler sees them: allocatable, and what the given pods (those not finished)
 * already requested on each, with the pods that hold GPUs named.
 */
export function nodeFactsFrom(nodes: V1Node[], pods: V1Pod[]): NodeFacts[] {
  const byNode = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (nodeName) byNode.set(nodeName, [...(byNode.get(nodeName) ?? []), pod]);
  }
  return nodes.map((node) => {
    const name = node.metadata?.name ?? "";
    const onNode = (byNode.get(name) ?? []).map((pod) => ({ pod, demand: podDemand("pod", 1, pod.spec) }));
    const allocated: NodeResources = { cpuMilli: 0, memoryBytes: 0, gpu: 0, pods: onNode.length };
    const gpuHolders: GpuHolder[] = [];
    for (const { pod, demand } of onNode) {
      allocated.cpuMilli += demand.cpuMilli;
      allocated.memoryBytes += demand.memoryBytes;
      allocated.gpu += demand.gpu;
      if (demand.gpu > 0) gpuHolders.push(holder(pod, demand.gpu));
    }
    return {
      name,
      labels: node.metadata?.labels ?? {},
      taints: (node.spec?.taints ?? []).map(({ key, value, effect }) => ({ key, value, effect })),
      unschedulable: node.spec?.unschedulable ?? false,
      ready: node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
      allocatable: resources(node.status?.allocatable ?? {}),
      allocated,
      gpuHolders,
    };
  });
}

function holder(pod: V1Pod, gpu: number): GpuHolder {
  const owner =
    pod.metadata?.ownerReferences?.find((ref) => ref.controller) ?? pod.metadata?.ownerReferences?.[0];
  return {
    namespace: pod.metadata?.namespace ?? "",
    name: pod.metadata?.name ?? "",
    gpu,
    ...(owner ? { owner: `${owner.kind}/${owner.name}` } : {}),
  };
}

function resources(amounts: Record<string, string>): NodeResources {
  return {
    cpuMilli: amounts.cpu ? quantityToMilliCpu(amounts.cpu) : 0,
    memoryBytes: amounts.memory ? quantityToBytes(amounts.memory) : 0,
    gpu: amounts[GPU_RESOURCE] ? Number(amounts[GPU_RESOURCE]) : 0,
    pods: amounts.pods ? Number(amounts.pods) : 0,
  };
}

export function quotaFactsFrom(quotas: V1ResourceQuota[]): QuotaFacts[] {
  return quotas.map((quota) => ({
    name: quota.metadata?.name ?? "",
    hard: quota.status?.hard ?? quota.spec?.hard ?? {},
    used: quota.status?.used ?? {},
  }));
}

export function limitRangeFactsFrom(ranges: V1LimitRange[]): LimitRangeFacts[] {
  return ranges.map((range) => ({
    name: range.metadata?.name ?? "",
    limits: (range.spec?.limits ?? []).map(({ type, max, min }) => ({ type, max, min })),
  }));
}
