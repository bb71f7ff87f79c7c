import { productOfNodeSelector } from "../gpu/nodeLabels";
import { findGpuProduct, splitProductName } from "../gpu/products";
import type { SchemaProblem } from "../yaml/schemaErrors";
import { formatBytes } from "./quantity";

type Fields = Record<string, unknown>;

/** Products to name when one is not known: the most common ones. */
const EXAMPLES = "NVIDIA-A100-SXM4-40GB, NVIDIA-H100-80GB-HBM3, NVIDIA-L4 or Tesla-T4";

/**
 * resources.gpuProduct and resources.gpuMemory against the rest of the profile: a GPU described
 * for a job that asks for none, a product whose memory nobody states, a product other than the
 * one the node selector asks for, more memory than the product has. `gpuMemoryBytes` is the
 * checked size of resources.gpuMemory, when it is valid.
 */
export function checkGpuRules(document: Fields, gpuMemoryBytes: bigint | undefined): SchemaProblem[] {
  const resources = isRecord(document.resources) ? document.resources : {};
  const product = typeof resources.gpuProduct === "string" ? resources.gpuProduct : undefined;
  const described =
    product !== undefined ? "gpuProduct" : gpuMemoryBytes !== undefined ? "gpuMemory" : undefined;
  if (!described) return [];
  if (!jobAsksForGpus(document)) {
    // Production's GPU is the job's (resources.gpu): the one local runs are held to and the
    // report checks. Workers or an endpoint asking for GPUs alone do not make it read.
    const others = otherPartsAskingForGpus(document);
    const asking = others.length > 1 ? "ask" : "asks";
    return [
      {
        path: ["resources", described],
        message:
          others.length > 0
            ? `resources.${described} describes the GPU of the job's own pod, but resources.gpu is 0 (only ${others.join(" and ")} ${asking} for GPUs), so Parity would not read it.`
            : `resources.${described} describes production's GPU, but the profile asks for no GPU (resources.gpu is 0).`,
        fix: `Set resources.gpu to the number of GPUs the job gets (e.g. 1), or remove resources.${described}.`,
      },
    ];
  }
  if (product === undefined) return [];
  const problems: SchemaProblem[] = [];
  const known = findGpuProduct(product);
  const slice = splitProductName(product).mig;
  if (gpuMemoryBytes === undefined && slice) {
    problems.push({
      path: ["resources", "gpuProduct"],
      message: `"${product}" is a MIG slice (${slice}): its memory is the slice's, which Parity does not know.`,
      fix: "Add resources.gpuMemory with the slice's memory (nvidia-smi's memory.total in it, e.g. \"4864Mi\").",
    });
  } else if (gpuMemoryBytes === undefined && !known) {
    problems.push({
      path: ["resources", "gpuProduct"],
      message: `Parity does not know how much memory a "${product}" has.`,
      fix: `Add resources.gpuMemory with one GPU's memory (nvidia-smi's memory.total, or the node's nvidia.com/gpu.memory label in MiB, e.g. "40960Mi"), or name a product Parity knows, such as ${EXAMPLES}.`,
    });
  }
  if (known && !slice && gpuMemoryBytes !== undefined && Number(gpuMemoryBytes) > known.memoryBytes * 1.01) {
    problems.push({
      path: ["resources", "gpuMemory"],
      message: `resources.gpuMemory (${formatBytes(gpuMemoryBytes)}) is more than ${known.label.startsWith("Tesla") ? "a" : "an"} ${known.label} has (${formatBytes(known.memoryBytes)}).`,
      fix: `Use at most "${known.memoryBytes / 1024 / 1024}Mi", or correct resources.gpuProduct.`,
    });
  }
  const selected = selectorProduct(document.cluster);
  if (selected !== undefined && !sameProduct(selected, product)) {
    problems.push({
      path: ["resources", "gpuProduct"],
      message: `resources.gpuProduct is "${product}", but cluster.nodeSelector sends the job to "${selected}" nodes.`,
      fix: `Make them the same: production's pods run on "${selected}" GPUs.`,
    });
  }
  return problems;
}

/** Whether the job's own resources ask for a GPU. */
function jobAsksForGpus(document: Fields): boolean {
  return asksForGpus(document.resources);
}

/** The other parts that ask for GPUs (a distributed job's workers, the endpoint), as field names. */
function otherPartsAskingForGpus(document: Fields): string[] {
  const cluster = isRecord(document.cluster) ? document.cluster : {};
  const distributed = isRecord(cluster.distributed) ? cluster.distributed : {};
  const serving = isRecord(document.serving) ? document.serving : {};
  return [
    ...(asksForGpus(distributed.workerResources) ? ["cluster.distributed.workerResources"] : []),
    ...(asksForGpus(serving.resources) ? ["serving.resources"] : []),
  ];
}

function asksForGpus(resources: unknown): boolean {
  return isRecord(resources) && typeof resources.gpu === "number" && resources.gpu > 0;
}

function selectorProduct(cluster: unknown): string | undefined {
  if (!isRecord(cluster) || !isRecord(cluster.nodeSelector)) return undefined;
  const selector = Object.fromEntries(
    Object.entries(cluster.nodeSelector).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
  return productOfNodeSelector(selector);
}

/** The same product however it is spelled ("A100-SXM4-40GB" and "NVIDIA-A100-SXM4-40GB"). */
function sameProduct(a: string, b: string): boolean {
  const knownA = findGpuProduct(a);
  const knownB = findGpuProduct(b);
  if (knownA && knownB) return knownA === knownB && splitProductName(a).mig === splitProductName(b).mig;
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function isRecord(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
