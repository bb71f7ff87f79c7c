import type { ComputeCapability } from "./computeCapability";
import {
  findGpuProduct,
  GKE_ACCELERATOR_LABEL,
  GPU_PRODUCT_LABEL,
  productOfGkeAccelerator,
  splitProductName,
} from "./products";

const MIB = 1024 * 1024;

/** What a node's labels say of its GPUs (NVIDIA GPU feature discovery, or GKE's accelerator label). */
export interface NodeGpu {
  /** `nvidia.com/gpu.product` ("NVIDIA-A100-SXM4-40GB"), or the product GKE's accelerator name stands for. */
  product?: string;
  /** Each GPU's memory: `nvidia.com/gpu.memory` (MiB), else the known product's. */
  memoryBytes?: number;
  memorySource?: "label" | "product";
  /** `nvidia.com/gpu.compute.major/minor`, else the known product's. */
  computeCapability?: ComputeCapability;
  /** The NVIDIA driver: "535.104.05" from `nvidia.com/cuda.driver(-version).major/minor/rev`. */
  driverVersion?: string;
  /** The newest CUDA the driver supports: "12.2" from `nvidia.com/cuda.runtime(-version).major/minor`. */
  cudaVersion?: string;
  /** `nvidia.com/gpu.count`. */
  count?: number;
  /** The product label names a MIG slice: its memory is the slice's. */
  mig?: string;
  /** Time-slicing renamed the product "-SHARED": other pods use the same GPU memory. */
  shared?: boolean;
}

/**
 * The GPU facts in a node's labels; undefined for a node whose labels say nothing of a GPU.
 * GPU feature discovery writes the driver as `cuda.driver.*` (and, since 0.15, `cuda.driver-version.*`)
 * and the CUDA version the driver supports as `cuda.runtime.*` (`cuda.runtime-version.*`).
 */
export function gpuFromNodeLabels(labels: Readonly<Record<string, string>>): NodeGpu | undefined {
  const label = (name: string): string | undefined => {
    const value = labels[`nvidia.com/${name}`]?.trim();
    return value ? value : undefined;
  };
  const productLabel = label("gpu.product") ?? productOfGkeAccelerator(labels[GKE_ACCELERATOR_LABEL] ?? "");
  const gpu: NodeGpu = {};
  const name = productLabel ? splitProductName(productLabel) : undefined;
  const known = productLabel ? findGpuProduct(productLabel) : undefined;
  if (productLabel) gpu.product = productLabel;
  if (name?.mig) gpu.mig = name.mig;
  if (name?.shared) gpu.shared = true;

  const memoryMiB = wholeNumber(label("gpu.memory"));
  if (memoryMiB !== undefined && memoryMiB > 0) {
    gpu.memoryBytes = memoryMiB * MIB;
    gpu.memorySource = "label";
  } else if (known && !name?.mig) {
    gpu.memoryBytes = known.memoryBytes;
    gpu.memorySource = "product";
  }

  const major = wholeNumber(label("gpu.compute.major"));
  const minor = wholeNumber(label("gpu.compute.minor"));
  if (major !== undefined && minor !== undefined) gpu.computeCapability = { major, minor };
  else if (known) gpu.computeCapability = known.computeCapability;

  const driver = version(
    label("cuda.driver-version.major") ?? label("cuda.driver.major"),
    label("cuda.driver-version.minor") ?? label("cuda.driver.minor"),
    label("cuda.driver-version.revision") ?? label("cuda.driver.rev"),
  );
  if (driver) gpu.driverVersion = driver;
  const cuda = version(
    label("cuda.runtime-version.major") ?? label("cuda.runtime.major"),
    label("cuda.runtime-version.minor") ?? label("cuda.runtime.minor"),
  );
  if (cuda) gpu.cudaVersion = cuda;

  const count = wholeNumber(label("gpu.count"));
  if (count !== undefined) gpu.count = count;
  return Object.keys(gpu).length > 0 ? gpu : undefined;
}

/** The node selector's product: `nvidia.com/gpu.product`, or GKE's accelerator name as a product. */
export function productOfNodeSelector(selector: Readonly<Record<string, string>>): string | undefined {
  return selector[GPU_PRODUCT_LABEL] ?? productOfGkeAccelerator(selector[GKE_ACCELERATOR_LABEL] ?? "");
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** "535", "104", "05" → "535.104.05"; from the first part missing on (a driver without a revision), none. */
function version(...parts: (string | undefined)[]): string | undefined {
  const present: string[] = [];
  for (const part of parts) {
    if (part === undefined || !/^\d+$/.test(part)) break;
    present.push(part);
  }
  return present.length > 0 ? present.join(".") : undefined;
}
