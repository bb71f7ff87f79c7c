import type { ComputeCapability } from "./computeCapability";

const MIB = 1024 * 1024;

/** A data-centre GPU as NVIDIA's GPU feature discovery labels its nodes. */
export interface GpuProduct {
  /** `nvidia.com/gpu.product` as current drivers name it: "NVIDIA-A100-SXM4-40GB". */
  label: string;
  /** The card's memory as `nvidia.com/gpu.memory` (and nvidia-smi's memory.total) state it. */
  memoryBytes: number;
  computeCapability: ComputeCapability;
}

/**
 * Known data-centre GPUs: memory in MiB as nvidia-smi reports memory.total (the value GPU feature
 * discovery writes into `nvidia.com/gpu.memory`), and the compute capability of the chip.
 */
const PRODUCTS: readonly [label: string, memoryMiB: number, capability: string][] = [
  ["Tesla-K80", 11441, "3.7"],
  ["Tesla-P100-PCIE-16GB", 16280, "6.0"],
  ["Tesla-V100-SXM2-16GB", 16160, "7.0"],
  ["Tesla-V100-PCIE-16GB", 16160, "7.0"],
  ["Tesla-V100-SXM2-32GB", 32510, "7.0"],
  ["Tesla-V100-PCIE-32GB", 32510, "7.0"],
  ["Tesla-T4", 15360, "7.5"],
  ["NVIDIA-A100-SXM4-40GB", 40960, "8.0"],
  ["NVIDIA-A100-PCIE-40GB", 40960, "8.0"],
  ["NVIDIA-A100-SXM4-80GB", 81920, "8.0"],
  ["NVIDIA-A100-80GB-PCIe", 81920, "8.0"],
  ["NVIDIA-A30", 24576, "8.0"],
  ["NVIDIA-A10", 23028, "8.6"],
  ["NVIDIA-A10G", 23028, "8.6"],
  ["NVIDIA-A40", 46068, "8.6"],
  ["NVIDIA-RTX-A6000", 49140, "8.6"],
  ["NVIDIA-L4", 23034, "8.9"],
  ["NVIDIA-L40", 46068, "8.9"],
  ["NVIDIA-L40S", 46068, "8.9"],
  ["NVIDIA-H100-80GB-HBM3", 81559, "9.0"],
  ["NVIDIA-H100-PCIe", 81559, "9.0"],
  ["NVIDIA-H100-NVL", 95830, "9.0"],
  ["NVIDIA-H200", 143771, "9.0"],
  ["NVIDIA-H200-NVL", 143771, "9.0"],
  ["NVIDIA-B200", 183359, "10.0"],
];

/**
 * GKE names its accelerators in `cloud.google.com/gke-accelerator` rather than by product: the
 * product each of those names is.
 */
const GKE_ACCELERATORS: Readonly<Record<string, string>> = {
  "nvidia-tesla-k80": "Tesla-K80",
  "nvidia-tesla-p100": "Tesla-P100-PCIE-16GB",
  "nvidia-tesla-v100": "Tesla-V100-SXM2-16GB",
  "nvidia-tesla-t4": "Tesla-T4",
  "nvidia-tesla-a100": "NVIDIA-A100-SXM4-40GB",
  "nvidia-a100-80gb": "NVIDIA-A100-SXM4-80GB",
  "nvidia-l4": "NVIDIA-L4",
  "nvidia-h100-80gb": "NVIDIA-H100-80GB-HBM3",
  "nvidia-h100-mega-80gb": "NVIDIA-H100-80GB-HBM3",
  "nvidia-h200-141gb": "NVIDIA-H200",
  "nvidia-b200": "NVIDIA-B200",
};

export const GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
export const GKE_ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator";

const BY_KEY = new Map(
  PRODUCTS.map(([label, memoryMiB, capability]) => {
    const [major = 0, minor = 0] = capability.split(".").map(Number);
    const product: GpuProduct = { label, memoryBytes: memoryMiB * MIB, computeCapability: { major, minor } };
    return [productKey(label), product];
  }),
);

/** A product label as GPU feature discovery may write it, split into what it says. */
export interface ProductName {
  /** The whole GPU's product, without a MIG slice or sharing suffix. */
  base: string;
  /** The MIG profile when the label names a slice ("1g.5gb"): its memory is the slice's, not the card's. */
  mig?: string;
  /** Time-slicing renames the product "<product>-SHARED": the card's memory is shared with other pods. */
  shared: boolean;
}

/** "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb" → the A100 and its MIG profile; "Tesla-T4-SHARED" → a shared T4. */
export function splitProductName(label: string): ProductName {
  let base = label.trim();
  const shared = /-SHARED$/i.test(base);
  if (shared) base = base.replace(/-SHARED$/i, "");
  const mig = /-MIG-(\d+g\.\d+gb)$/i.exec(base);
  if (mig) base = base.slice(0, mig.index);
  return { base, ...(mig?.[1] ? { mig: mig[1].toLowerCase() } : {}), shared };
}

/**
 * The known GPU a product label names. Older drivers leave out the "NVIDIA " prefix
 * ("A100-SXM4-40GB") and say "Tesla" for older cards, nvidia-smi writes spaces where the label
 * has dashes: all of these find the same product.
 */
export function findGpuProduct(label: string): GpuProduct | undefined {
  return BY_KEY.get(productKey(splitProductName(label).base));
}

/** The product a GKE accelerator name stands for ("nvidia-tesla-t4" → "Tesla-T4"). */
export function productOfGkeAccelerator(accelerator: string): string | undefined {
  return GKE_ACCELERATORS[accelerator.trim().toLowerCase()];
}

/** Every known product's label, for messages that list them. */
export function knownGpuProducts(): string[] {
  return PRODUCTS.map(([label]) => label);
}

function productKey(label: string): string {
  return label
    .trim()
    .replace(/\s+/g, "-")
    .replace(/^(NVIDIA-)?(Tesla-)?/i, "")
    .toLowerCase();
}
