import type { Diagnosis } from "../diagnosis/types";
import { explainUnschedulable } from "./explain";
import { free, fitsNow, withPod } from "./nodes";
import { checkLimitRanges } from "./limitRange";
import { checkQuotas } from "./quota";
import type { LimitRangeFacts, NodeFacts, PodDemand, Prediction, QuotaFacts } from "./types";

export interface PredictionInput {
  namespace: string;
  demands: PodDemand[];
  /** Undefined when the nodes could not be read: placement is then not predicted. */
  nodes: NodeFacts[] | undefined;
  quotas: QuotaFacts[];
  limitRanges: LimitRangeFacts[];
}

/**
 * Whether the workload's pods would be admitted (quota, LimitRange) and placed (the scheduler's
 * filters) now. Replicas are packed greedily one by one, so for several pods it is an estimate:
 * the real scheduler may spread them differently.
 */
export function predictScheduling(input: PredictionInput): Prediction {
  const { namespace, demands, nodes } = input;
  const problems: Diagnosis[] = [
    ...checkLimitRanges(namespace, demands, input.limitRanges),
    ...checkQuotas(namespace, demands, input.quotas),
  ];
  if (!nodes) return { schedulable: !problems.some(isError), problems, fits: [] };
  const fits = demands.map((demand) => ({
    role: demand.role,
    nodes: nodes.filter((node) => fitsNow(node, demand)).map((node) => node.name),
  }));
  let now = nodes;
  let empty = nodes.map(withoutPods);
  for (const demand of demands) {
    const placedNow = place(now, demand);
    const placedEmpty = place(empty, demand);
    now = placedNow.nodes;
    empty = placedEmpty.nodes;
    if (placedNow.placed === demand.count) continue;
    const explained = placedNow.placed === 0 ? explainUnschedulable(demand, placedNow.nodes) : [];
    const onlyBusy = explained.every((problem) => problem.severity !== "error");
    // Some fit now, or one would fit an idle cluster but not all of them: say how many, not just "busy".
    if (placedNow.placed > 0 || (onlyBusy && placedEmpty.placed < demand.count)) {
      problems.push(partly(demand, placedNow.placed, placedEmpty.placed));
    } else {
      problems.push(...explained);
    }
  }
  return { schedulable: !problems.some(isError), problems, fits };
}

function isError(problem: Diagnosis): boolean {
  return problem.severity === "error";
}

/** Places up to `count` pods, each on the fitting node with the fewest GPUs left (keeps big nodes free). */
function place(nodes: NodeFacts[], demand: PodDemand): { nodes: NodeFacts[]; placed: number } {
  let current = nodes;
  for (let placed = 0; placed < demand.count; placed++) {
    const candidates = current.filter((node) => fitsNow(node, demand));
    if (candidates.length === 0) return { nodes: current, placed };
    const target = candidates.reduce((a, b) => (free(b).gpu < free(a).gpu ? b : a));
    current = current.map((node) => (node === target ? withPod(node, demand) : node));
  }
  return { nodes: current, placed: demand.count };
}

function withoutPods(node: NodeFacts): NodeFacts {
  return { ...node, allocated: { cpuMilli: 0, memoryBytes: 0, gpu: 0, pods: 0 }, gpuHolders: [] };
}

/** Some replicas fit, not all: never on this cluster (an error), or not now (a warning). */
function partly(demand: PodDemand, placedNow: number, placedEver: number): Diagnosis {
  const asked = `${demand.count} ${demand.role} pods of ${demand.gpu} GPU${demand.gpu === 1 ? "" : "s"} each`;
  if (placedEver < demand.count) {
    return {
      code: demand.gpu > 0 ? "InsufficientGpu" : "InsufficientResources",
      severity: "error",
      message: `${asked} need room for ${demand.count} pods; even with nothing else running, the nodes hold about ${placedEver} of them (estimate).`,
      fix: `Use at most ${placedEver} ${demand.role}s in parity.yaml cluster.distributed.workers, or smaller ones (cluster.distributed.workerResources).`,
    };
  }
  return {
    code: demand.gpu > 0 ? "GpusBusy" : "NodesBusy",
    severity: "warning",
    message: `Only about ${placedNow} of ${asked} fit now (estimate); the others will stay Pending until other pods finish.`,
    fix: "Wait for running jobs to finish, or use fewer or smaller workers in parity.yaml cluster.distributed.",
  };
}
