import type { Diagnosis, FixSnippet } from "../diagnosis/types";
import { amount, bare, profileField, whose, written, type ResourceName } from "./fields";
import {
  acceptsPods,
  demandOf,
  free,
  matchesSelector,
  resourceOf,
  RESOURCES,
  shortOf,
  toleratesNode,
} from "./nodes";
import { profileChangesYaml, type ProfileChange } from "../profile/edit";
import type { Toleration } from "../profile/types";
import { describeTaint, untoleratedTaints } from "./taints";
import type { NodeFacts, PodDemand, Taint } from "./types";

const CODES: Record<ResourceName, string> = {
  gpu: "InsufficientGpu",
  memory: "InsufficientMemory",
  cpu: "InsufficientCpu",
};

/**
 * Why no node takes a pod of this demand, in the scheduler's filter order: nodes that accept pods,
 * the node selector, room on an empty node, taints, then room left by the pods running now.
 */
export function explainUnschedulable(demand: PodDemand, nodes: NodeFacts[]): Diagnosis[] {
  const ready = nodes.filter((node) => acceptsPods(node, demand));
  if (ready.length === 0) return [noReadyNodes(nodes)];
  const selected = ready.filter((node) => matchesSelector(node, demand));
  if (selected.length === 0) return [selectorMismatch(demand, ready)];
  const tooSmall = RESOURCES.filter((resource) =>
    selected.every((node) => demandOf(demand, resource) > resourceOf(node.allocatable, resource)),
  ).map((resource) => insufficient(demand, resource, selected));
  if (tooSmall.length > 0) return tooSmall;
  const bigEnough = selected.filter((node) => shortOf(node.allocatable, demand).length === 0);
  if (bigEnough.length === 0) return [noSingleNode(demand, selected)];
  const tolerated = bigEnough.filter((node) => toleratesNode(node, demand));
  if (tolerated.length === 0) return [untolerated(demand, bigEnough)];
  return [busy(demand, tolerated)];
}

function noReadyNodes(nodes: NodeFacts[]): Diagnosis {
  const states = nodes.map((node) => `${node.name} (${node.ready ? "cordoned" : "not ready"})`);
  return {
    code: "NoReadyNodes",
    severity: "error",
    message: nodes.length
      ? `No node accepts new pods: ${states.join(", ")}.`
      : "The cluster has no nodes, so nothing can run.",
    fix: "Ask a cluster admin to bring a node back (uncordon it or fix its kubelet), or use another cluster.",
  };
}

function selectorMismatch(demand: PodDemand, nodes: NodeFacts[]): Diagnosis {
  const missing = Object.entries(demand.nodeSelector).filter(
    ([key, value]) => !nodes.some((node) => node.labels[key] === value),
  );
  const parts = missing.map(([key, value]) => {
    const seen = [...new Set(nodes.map((node) => node.labels[key]).filter((v) => v !== undefined))];
    return `${key}=${value}${seen.length ? ` (nodes have ${seen.join(", ")})` : " (no node has this label)"}`;
  });
  const wanted = Object.entries(demand.nodeSelector).map(([key, value]) => `${key}=${value}`);
  return {
    code: "NodeSelectorMismatch",
    severity: "error",
    message: missing.length
      ? `No ready node has the label ${parts.join(" or ")} that cluster.nodeSelector asks for.`
      : `No ready node has all of the labels ${wanted.join(", ")} together.`,
    fix: "Change cluster.nodeSelector in parity.yaml to labels the nodes have (kubectl get nodes --show-labels), or remove it.",
  };
}

function insufficient(demand: PodDemand, resource: ResourceName, nodes: NodeFacts[]): Diagnosis {
  const largest = nodes.reduce((a, b) =>
    resourceOf(b.allocatable, resource) > resourceOf(a.allocatable, resource) ? b : a,
  );
  const most = resourceOf(largest.allocatable, resource);
  const requested = demandOf(demand, resource);
  const field = profileField(demand.role, resource);
  const role = demand.role === "job" ? "" : ` per ${demand.role}`;
  const scope = Object.keys(demand.nodeSelector).length ? " of the nodes matching cluster.nodeSelector" : "";
  const alternative =
    resource === "gpu" && demand.role !== "worker"
      ? `, or use a distributed job (cluster.distributed) with workers of ${most} GPUs`
      : demand.role === "worker"
        ? ", and more workers"
        : "";
  const message = `${capitalize(amount(resource, requested))} requested${role}; the largest node${scope} has ${most === 0 ? "none" : bare(resource, most)} allocatable (${largest.name}).`;
  if (most === 0) {
    return {
      code: CODES[resource],
      severity: "error",
      message,
      fix: `No node${scope} has GPUs: set ${field} to 0 in parity.yaml, or choose nodes with GPUs in cluster.nodeSelector.`,
      snippet: snippetOf([setField(field, resource, 0)]),
    };
  }
  const lower = setField(field, resource, most);
  const request = `Request at most ${resource === "gpu" ? amount("gpu", most) : written(resource, most)} in parity.yaml ${field}`;
  // The fix is checked against the scheduler's other filters before it is offered: when the only
  // nodes that big are tainted, lowering the request alone would fail next on their taint.
  const next = explainUnschedulable({ ...demand, ...demandField(resource, most) }, nodes)[0];
  const taints = next?.code === "UntoleratedTaint" ? (next.snippet?.changes ?? []) : [];
  if (taints.length > 0) {
    return {
      code: CODES[resource],
      severity: "error",
      message,
      fix: `${request}, and tolerate the taint of ${largest.name}, the node${scope} that has that many${alternative}.`,
      snippet: snippetOf([lower, ...taints]),
    };
  }
  return {
    code: CODES[resource],
    severity: "error",
    message,
    fix: `${request}${alternative}.`,
    snippet: snippetOf([lower]),
  };
}

/** The demand with one resource set to `value`, as explainUnschedulable reads it. */
function demandField(resource: ResourceName, value: number): Partial<PodDemand> {
  return resource === "gpu"
    ? { gpu: value }
    : resource === "memory"
      ? { memoryBytes: value }
      : { cpuMilli: value };
}

function setField(field: string, resource: ResourceName, value: number): ProfileChange {
  const quantity: string | number =
    resource === "gpu"
      ? value
      : resource === "cpu"
        ? written("cpu", value).replace(/"/g, "")
        : written(resource, value);
  return { kind: "set", path: field.split("."), value: quantity };
}

function snippetOf(changes: ProfileChange[]): FixSnippet {
  return { yaml: profileChangesYaml(changes), changes };
}

/** The tolerations that let a pod onto nodes with these taints, as production's pods have them. */
function tolerationsFor(taints: Taint[]): Toleration[] {
  return taints.map((taint) =>
    taint.value
      ? {
          key: taint.key,
          operator: "Equal",
          value: taint.value,
          effect: taint.effect as Toleration["effect"],
        }
      : { key: taint.key, operator: "Exists", effect: taint.effect as Toleration["effect"] },
  );
}

function noSingleNode(demand: PodDemand, nodes: NodeFacts[]): Diagnosis {
  const lacks = nodes.map((node) => `${node.name} lacks ${shortOf(node.allocatable, demand).join(" and ")}`);
  const resource = RESOURCES.find((r) => nodes.some((node) => shortOf(node.allocatable, demand).includes(r)));
  return {
    code: CODES[resource ?? "cpu"],
    severity: "error",
    message: `No single node has ${amount("gpu", demand.gpu)}, ${amount("memory", demand.memoryBytes)} and ${amount("cpu", demand.cpuMilli)} for ${whose(demand.role)}: ${lacks.join("; ")}.`,
    fix: `Lower the resources of ${whose(demand.role)} in parity.yaml (${profileField(demand.role, "memory").replace(/\.memory$/, "")}) to what one node has.`,
  };
}

function untolerated(demand: PodDemand, nodes: NodeFacts[]): Diagnosis {
  const taints = new Map<string, Taint>();
  for (const node of nodes) {
    for (const taint of untoleratedTaints(demand.tolerations, node.taints))
      taints.set(describeTaint(taint), taint);
  }
  const names = nodes.map((node) => node.name).join(", ");
  return {
    code: "UntoleratedTaint",
    severity: "error",
    message: `The only node${nodes.length > 1 ? "s" : ""} with room for ${whose(demand.role)} (${names}) ${nodes.length > 1 ? "have" : "has"} the taint ${[...taints.keys()].join(" and ")}, which the job does not tolerate.`,
    fix: "Add the toleration to parity.yaml, as production's pods have it.",
    snippet: snippetOf([{ kind: "addTolerations", tolerations: tolerationsFor([...taints.values()]) }]),
  };
}

function busy(demand: PodDemand, nodes: NodeFacts[]): Diagnosis {
  const lacking = RESOURCES.filter((resource) =>
    nodes.every((node) => shortOf(free(node), demand).includes(resource)),
  );
  if (lacking.includes("gpu")) {
    const holders = nodes.flatMap((node) =>
      (node.gpuHolders ?? []).map((holder) => ({ node: node.name, ...holder })),
    );
    const named = holders.map(
      (h) =>
        `${h.namespace}/${h.name}${h.owner ? ` (${h.owner})` : ""} holds ${amount("gpu", h.gpu)} on ${h.node}`,
    );
    const total = nodes.map((node) => `${node.name} ${free(node).gpu} of ${node.allocatable.gpu} free`);
    return {
      code: "GpusBusy",
      severity: "warning",
      message: `${capitalize(amount("gpu", demand.gpu))} requested and the nodes have them, but they are in use now (${total.join(", ")})${named.length ? `: ${named.join("; ")}` : ""}. ${capitalize(whose(demand.role))} will stay Pending until they are freed.`,
      fix: "Wait for those pods to finish, ask their owners to free the GPUs, or request fewer GPUs.",
    };
  }
  const what = lacking.length ? lacking.join(" and ") : "pod slots";
  return {
    code: "NodesBusy",
    severity: "warning",
    message: `The nodes that could take ${whose(demand.role)} have no ${what} free now (${nodes.map((n) => n.name).join(", ")}); it will stay Pending until other pods finish.`,
    fix: "Wait, or lower the job's resources in parity.yaml.",
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
