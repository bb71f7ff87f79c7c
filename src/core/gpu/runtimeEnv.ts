import { formatComputeCapability } from "./computeCapability";
import type { ProductionGpu } from "./productionGpu";

/**
 * What the job's runtime (limits.py, in every generated script) reads to hold the frameworks to
 * production's GPU memory. Parity's local runs set it; a cluster pod does not: it has production's
 * GPU itself.
 */
export const GPU_MEMORY_ENV = "PARITY_GPU_MEMORY";
export const GPU_PRODUCT_ENV = "PARITY_GPU_PRODUCT";
export const GPU_CAPABILITY_ENV = "PARITY_GPU_COMPUTE_CAPABILITY";

/** The runtime's environment for production's GPU; none when its memory is not known. */
export function gpuLimitEnv(gpu: ProductionGpu | undefined): Record<string, string> {
  if (gpu?.memoryBytes === undefined) return {};
  return {
    [GPU_MEMORY_ENV]: String(gpu.memoryBytes),
    ...(gpu.product ? { [GPU_PRODUCT_ENV]: gpu.product } : {}),
    ...(gpu.computeCapability
      ? { [GPU_CAPABILITY_ENV]: formatComputeCapability(gpu.computeCapability) }
      : {}),
  };
}
