import type { PodDemand, NodeFacts, NodeResources } from "./types";
import { untoleratedTaints } from "./taints";
import type { ResourceName } from "./fields";

export const RESOURCES: ResourceName[] = ["gpu", "memory", "cpu"];

const UNSCHEDULABLE_TAINT = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

export function demandOf(demand: PodDemand, resource: ResourceName): number {
  return resource === "gpu" ? demand.gpu : resource === "memory" ? demand.memoryBytes : demand.cpuMilli;
}

export function resourceOf(resources: NodeResources, resource: ResourceName): number {
  return resource === "gpu"
    ? resources.gpu
    : resource === "memory"
      ? resources.memoryBytes
      : resources.cpuMilli;
}

export function free(node: NodeFacts): NodeResources {
  const { allocatable: a, allocated: u } = node;
  return {
    cpuMilli: a.cpuMilli - u.cpuMilli,
    memoryBytes: a.memoryBytes - u.memoryBytes,
    gpu: a.gpu - u.gpu,
    pods: a.pods - u.pods,
  };
}

/** Ready and not cordoned (unless the pod tolerates the cordon, as DaemonSet pods do). */
export function acceptsPods(node: NodeFacts, demand: PodDemand): boolean {
  if (!node.ready) return false;
  return !node.unschedulable || untoleratedTaints(demand.tolerations, [UNSCHEDULABLE_TAINT]).length === 0;
}

export function matchesSelector(node: NodeFacts, demand: PodDemand): boolean {
  return Object.entries(demand.nodeSelector).every(([key, value]) => node.labels[key] === value);
}

export function toleratesNode(node: NodeFacts, demand: PodDemand): boolean {
  return untoleratedTaints(demand.tolerations, node.taints).length === 0;
}

/** The resources this node lacks for one pod, given what it has (allocatable, or free now). */
export function shortOf(resources: NodeResources, demand: PodDemand): ResourceName[] {
  return RESOURCES.filter((resource) => demandOf(demand, resource) > resourceOf(resources, resource));
}

/** NodeResourcesFit with the node's current pods, plus the other filters. */
export function fitsNow(node: NodeFacts, demand: PodDemand): boolean {
  const room = free(node);
  return (
    acceptsPods(node, demand) &&
    matchesSelector(node, demand) &&
    toleratesNode(node, demand) &&
    room.pods >= 1 &&
    shortOf(room, demand).length === 0
  );
}

/** The node with one more such pod on it (for packing several replicas). */
export function withPod(node: NodeFacts, demand: PodDemand): NodeFacts {
  const { allocated: u } = node;
  return {
    ...node,
    allocated: {
      cpuMilli: u.cpuMilli + demand.cpuMilli,
      memoryBytes: u.memoryBytes + demand.memoryBytes,
      gpu: u.gpu + demand.gpu,
      pods: u.pods + 1,
    },
  };
}
