import type { Diagnosis } from "../diagnosis/types";
import { acceptsPods, matchesSelector, toleratesNode } from "../preflight/nodes";
import type { NodeFacts, PodDemand } from "../preflight/types";
import { profileChangesYaml, type ProfileChange } from "../profile/edit";
import { formatBytes } from "../profile/quantity";
import type { GpuDriverFacts } from "../parity/types";
import { compareDriver } from "./driver";
import { gpuFromNodeLabels, type NodeGpu } from "./nodeLabels";
import type { ProductionGpu } from "./productionGpu";

/** A node a GPU pod of the job can be placed on, with what its labels say of its GPUs. */
interface Landing {
  node: string;
  gpu: NodeGpu;
}

/**
 * The GPUs of the nodes the job's GPU pods can land on, against production's GPU as the profile
 * says it: a pool of mixed GPUs, nodes whose GPUs have less memory than local runs were held to
 * (or more), and, where the profile names no GPU, the one the nodes have, as the lines to add.
 * Nodes without GPU feature discovery's labels say nothing.
 */
export function gpuPlacementProblems(
  nodes: readonly NodeFacts[],
  demands: readonly PodDemand[],
  production: ProductionGpu | undefined,
): Diagnosis[] {
  const landings = gpuLandings(nodes, demands).filter((landing) => landing.gpu.product !== undefined);
  if (landings.length === 0) return [];
  const products = groupBy(landings, (landing) => landing.gpu.product!);
  const problems: Diagnosis[] = [];
  if (products.size > 1) problems.push(mixedPool(products, production));
  if (production?.memoryBytes) {
    problems.push(...memoryAgainstProfile(landings, production.memoryBytes));
  } else if (products.size === 1) {
    problems.push(unnamed(landings[0]!));
  }
  return problems;
}

/**
 * The NVIDIA driver of the nodes the job's GPU pods can land on, as their labels say it (GPU
 * feature discovery's `nvidia.com/cuda.driver.*`): the oldest, where they differ, since the job
 * may land there. Undefined when no such node says its driver.
 */
export function landingGpuDriver(
  nodes: readonly NodeFacts[],
  demands: readonly PodDemand[],
): GpuDriverFacts | undefined {
  const labelled = gpuLandings(nodes, demands).filter((landing) => landing.gpu.driverVersion !== undefined);
  if (labelled.length === 0) return undefined;
  const oldest = labelled.reduce((a, b) =>
    compareDriver(b.gpu.driverVersion!, a.gpu.driverVersion!) < 0 ? b : a,
  );
  const same = labelled.filter((landing) => landing.gpu.driverVersion === oldest.gpu.driverVersion);
  return {
    version: oldest.gpu.driverVersion!,
    ...(oldest.gpu.cudaVersion ? { cudaVersion: oldest.gpu.cudaVersion } : {}),
    source: `${same.length === 1 ? "node" : "nodes"} ${names(same)}`,
  };
}

/** The nodes a GPU pod of the job can be placed on now, with what their labels say of their GPUs. */
function gpuLandings(nodes: readonly NodeFacts[], demands: readonly PodDemand[]): Landing[] {
  const demand = demands.find((candidate) => candidate.gpu > 0);
  if (!demand) return [];
  return nodes
    .filter(
      (node) =>
        acceptsPods(node, demand) &&
        matchesSelector(node, demand) &&
        toleratesNode(node, demand) &&
        node.allocatable.gpu >= demand.gpu,
    )
    .map((node) => ({ node: node.name, gpu: gpuFromNodeLabels(node.labels) }))
    .filter((landing): landing is Landing => landing.gpu !== undefined);
}

function mixedPool(products: Map<string, Landing[]>, production: ProductionGpu | undefined): Diagnosis {
  const each = [...products].map(([product, on]) => `${product} on ${names(on)}`).join("; ");
  const chosen = production?.product ?? [...products.keys()][0]!;
  return {
    code: "GpuPoolMixed",
    severity: "warning",
    message: `The job's GPU pods can land on nodes with different GPUs (${each}): its GPU memory and speed depend on where it lands.`,
    fix: `Pin one GPU with cluster.nodeSelector in parity.yaml, as production's pods do.`,
    snippet: snippetOf([
      { kind: "set", path: ["cluster", "nodeSelector", "nvidia.com/gpu.product"], value: chosen },
    ]),
  };
}

function memoryAgainstProfile(landings: Landing[], memoryBytes: number): Diagnosis[] {
  const known = landings.filter((landing) => landing.gpu.memoryBytes !== undefined);
  const smaller = known.filter((landing) => landing.gpu.memoryBytes! < memoryBytes * 0.99);
  const larger = known.filter((landing) => landing.gpu.memoryBytes! > memoryBytes * 1.01);
  const held = formatBytes(memoryBytes);
  if (smaller.length > 0) {
    const least = smaller.reduce((a, b) => (b.gpu.memoryBytes! < a.gpu.memoryBytes! ? b : a));
    return [
      {
        code: "GpuSmallerThanProfile",
        severity: "warning",
        message: `The job can land on ${names(smaller)}, whose ${least.gpu.product} has ${formatBytes(least.gpu.memoryBytes!)} of GPU memory, less than the ${held} parity.yaml says production has: local runs were held to ${held}, so a CUDA out of memory can still happen there.`,
        fix: "Describe the smallest GPU the job can land on in parity.yaml, or keep the job off those nodes with cluster.nodeSelector.",
        snippet: snippetOf(describe(least.gpu)),
      },
    ];
  }
  if (larger.length === known.length && known.length > 0) {
    const first = larger[0]!;
    return [
      {
        code: "GpuLargerThanProfile",
        severity: "info",
        message: `The job lands on ${names(larger)}, whose ${first.gpu.product} has ${formatBytes(first.gpu.memoryBytes!)} of GPU memory; local runs are held to the ${held} parity.yaml says, less than the job gets there.`,
        fix: "Describe the nodes' GPU in parity.yaml so that local runs are held to what production has.",
        snippet: snippetOf(describe(first.gpu)),
      },
    ];
  }
  return [];
}

function unnamed(landing: Landing): Diagnosis {
  const { gpu } = landing;
  const memory = gpu.memoryBytes ? `, ${formatBytes(gpu.memoryBytes)}` : "";
  const driver = gpu.driverVersion ? `, driver ${gpu.driverVersion}` : "";
  return {
    code: "GpuFromNodes",
    severity: "info",
    message: `The job lands on nodes with ${gpu.product}${memory}${driver}; parity.yaml does not name production's GPU, so local runs are not held to its memory.`,
    fix: "Name it in parity.yaml: local runs are then held to its memory, and the report checks the image against it.",
    snippet: snippetOf(describe(gpu)),
  };
}

/** resources.gpuProduct, and gpuMemory where the product alone does not say it. */
function describe(gpu: NodeGpu): ProfileChange[] {
  const changes: ProfileChange[] = [{ kind: "set", path: ["resources", "gpuProduct"], value: gpu.product! }];
  if (gpu.memorySource === "label" && gpu.memoryBytes) {
    changes.push({
      kind: "set",
      path: ["resources", "gpuMemory"],
      value: `${gpu.memoryBytes / 1024 / 1024}Mi`,
    });
  }
  return changes;
}

function snippetOf(changes: ProfileChange[]): Diagnosis["snippet"] {
  return { yaml: profileChangesYaml(changes), changes };
}

/** "gpu-1, gpu-2 and 3 more". */
function names(landings: readonly Landing[]): string {
  const shown = landings.slice(0, 3).map((landing) => landing.node);
  const more = landings.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
