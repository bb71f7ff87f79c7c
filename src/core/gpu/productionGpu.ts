import type { ComputeCapability } from "./computeCapability";
import { productOfNodeSelector } from "./nodeLabels";
import { findGpuProduct, splitProductName } from "./products";

/** Production's GPU as the profile says it, with what the table of known GPUs adds. */
export interface ProductionGpu {
  /** As written: resources.gpuProduct, else the node selector's product. */
  product?: string;
  productSource?: "resources.gpuProduct" | "cluster.nodeSelector";
  /** Each GPU's memory: resources.gpuMemory, else the known product's. */
  memoryBytes?: number;
  memorySource?: "resources.gpuMemory" | "product";
  computeCapability?: ComputeCapability;
}

export interface WrittenGpu {
  /** resources.gpuMemory in bytes, when written. */
  memoryBytes?: number;
  /** resources.gpuProduct, when written. */
  product?: string;
  nodeSelector?: Readonly<Record<string, string>>;
}

/**
 * What the profile says of production's GPU: resources.gpuProduct or the node selector's
 * `nvidia.com/gpu.product` (or GKE's accelerator) names it, resources.gpuMemory or the table of
 * known GPUs gives its memory. Undefined when the profile says nothing of it.
 */
export function productionGpuOf(written: WrittenGpu): ProductionGpu | undefined {
  const fromSelector = written.nodeSelector ? productOfNodeSelector(written.nodeSelector) : undefined;
  const product = written.product ?? fromSelector;
  const known = product ? findGpuProduct(product) : undefined;
  const slice = product ? splitProductName(product).mig : undefined;
  const gpu: ProductionGpu = {};
  if (product) {
    gpu.product = product;
    gpu.productSource = written.product ? "resources.gpuProduct" : "cluster.nodeSelector";
  }
  if (written.memoryBytes !== undefined) {
    gpu.memoryBytes = written.memoryBytes;
    gpu.memorySource = "resources.gpuMemory";
  } else if (known && !slice) {
    gpu.memoryBytes = known.memoryBytes;
    gpu.memorySource = "product";
  }
  if (known) gpu.computeCapability = known.computeCapability;
  return Object.keys(gpu).length > 0 ? gpu : undefined;
}
