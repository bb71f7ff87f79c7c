import { GPU_RESOURCE } from "../../core/manifests/podTemplate";
import {
  describeTaint,
  nodeReady,
  podGpus,
  podHoldsResources,
  podOwner,
  wholeCount,
  type NodeItem,
  type PodItem,
} from "../../core/cluster/objects";
import type { ClusterRow } from "./clusterRow";

interface Holder {
  pod: PodItem;
  gpus: number;
}

/** Pods holding GPUs, by node name: one pass over every pod (the view gets thousands). */
export function gpuHolders(pods: PodItem[]): Map<string, Holder[]> {
  const byNode = new Map<string, Holder[]>();
  for (const pod of pods) {
    if (!podHoldsResources(pod)) continue;
    const gpus = podGpus(pod);
    if (gpus === 0) continue;
    const node = pod.spec!.nodeName!;
    const list = byNode.get(node);
    if (list) list.push({ pod, gpus });
    else byNode.set(node, [{ pod, gpus }]);
  }
  return byNode;
}

/**
 * One row per node with GPUs: capacity, allocatable and allocated, its taints, and which pods
 * (namespace, owner) hold its GPUs. `partial`: only one namespace's pods could be listed.
 */
export function gpuNodeRows(nodes: NodeItem[], pods: PodItem[], partial: boolean): ClusterRow[] {
  const holders = gpuHolders(pods);
  return nodes
    .filter((node) => wholeCount(node.status?.capacity?.[GPU_RESOURCE]) > 0)
    .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))
    .map((node) => gpuNodeRow(node, holders.get(node.metadata?.name ?? "") ?? [], partial));
}

function gpuNodeRow(node: NodeItem, holders: Holder[], partial: boolean): ClusterRow {
  const name = node.metadata?.name ?? "(unnamed)";
  const capacity = wholeCount(node.status?.capacity?.[GPU_RESOURCE]);
  const allocatable = wholeCount(node.status?.allocatable?.[GPU_RESOURCE]);
  const allocated = holders.reduce((sum, holder) => sum + holder.gpus, 0);
  const taints = node.spec?.taints ?? [];
  const product = node.metadata?.labels?.["nvidia.com/gpu.product"];
  const ready = nodeReady(node);
  const allocatedText = `${allocated}${partial ? "+" : ""} allocated`;
  const description = [
    `${allocatedText} of ${allocatable} allocatable`,
    `${capacity} capacity`,
    ...(taints.length > 0 ? [`${taints.length} ${taints.length === 1 ? "taint" : "taints"}`] : []),
    ...(ready ? [] : ["not ready"]),
  ].join(" · ");
  const tooltip = [
    `${name}${product ? ` (${product})` : ""}`,
    `GPUs: ${capacity} capacity, ${allocatable} allocatable, ${allocated} allocated to running pods.`,
    ...(partial
      ? ["Only pods of the selected namespace could be listed: other namespaces may hold more."]
      : []),
    ...taints.map((taint) => `Taint ${describeTaint(taint)}: pods need a matching toleration.`),
    ...(ready ? [] : ["The node is not Ready: nothing new is scheduled on it."]),
  ].join("\n");
  const children: ClusterRow[] = [
    ...taints.map((taint) => ({
      id: `gpu-node/${name}/taint/${describeTaint(taint)}`,
      label: describeTaint(taint),
      description: "taint",
      tooltip: `Pods without a toleration for ${describeTaint(taint)} are not scheduled on ${name}.`,
      contextValue: "parity:taint",
      icon: { id: "shield" },
    })),
    ...holders
      .sort((a, b) => b.gpus - a.gpus)
      .map(({ pod, gpus }) => {
        const namespace = pod.metadata?.namespace ?? "";
        const podName = pod.metadata?.name ?? "";
        const owner = podOwner(pod);
        return {
          id: `gpu-node/${name}/pod/${namespace}/${podName}`,
          label: `${namespace}/${podName}`,
          description: `${gpus} ${gpus === 1 ? "GPU" : "GPUs"}${owner ? ` · ${owner}` : ""}`,
          tooltip: `Pod ${podName} in ${namespace} holds ${gpus} of ${name}'s GPUs${owner ? `; owned by ${owner}` : ""}.`,
          contextValue: "parity:gpuPod",
          icon: { id: "circuit-board" },
        };
      }),
  ];
  return {
    id: `gpu-node/${name}`,
    label: name,
    description,
    tooltip,
    contextValue: `parity:gpuNode${ready ? "" : "+notReady"}`,
    icon: ready ? { id: "server" } : { id: "warning", color: "problemsWarningIcon.foreground" },
    children: children.length > 0 ? children : undefined,
  };
}
