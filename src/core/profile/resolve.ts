import path from "node:path";
import { productionGpuOf, type ProductionGpu } from "../gpu/productionGpu";
import type { YamlLocator } from "../yaml/locator";
import { quantityToBytes, quantityToMilliCpu, quantityToNanoCpus } from "./quantity";
import type { Profile, ResolvedProfile, ResourceLimits, ResourceSpec } from "./types";

/** The requirements file a profile uses when it names none (beside parity.yaml). */
export const DEFAULT_REQUIREMENTS = "requirements.txt";

export interface ResolveContext {
  dir: string;
  file?: string;
  source: ResolvedProfile["source"];
  locator?: YamlLocator;
}

/** Adds the numbers and absolute paths a run needs to a complete, already validated profile. */
export function resolveProfile(profile: Profile, context: ResolveContext): ResolvedProfile {
  const { dir, locator } = context;
  const within = (relative: string): string => path.resolve(dir, relative);
  const { caCertificates } = profile.build;
  return {
    profile,
    file: context.file,
    dir,
    name: profile.name ?? nameFromFolder(dir),
    source: context.source,
    limits: withProductionGpu(limitsOf(profile.resources), productionGpuOfProfile(profile)),
    paths: {
      // Without image.requirements, a requirements.txt beside the profile is the convention;
      // callers check that it exists (as for the embedded default).
      requirements: within(profile.image.requirements ?? DEFAULT_REQUIREMENTS),
      caCertificates: caCertificates === "system" ? "system" : caCertificates.map(within),
      outputs: within(profile.outputs),
    },
    lineOf: (fieldPath) => locator?.lineOf(fieldPath),
  };
}

/** The exact numbers behind a validated resources section. */
export function limitsOf(resources: ResourceSpec): ResourceLimits {
  return {
    memoryBytes: quantityToBytes(resources.memory),
    milliCpu: quantityToMilliCpu(resources.cpu),
    nanoCpus: quantityToNanoCpus(resources.cpu),
    gpu: resources.gpu,
    shmBytes: quantityToBytes(resources.shm),
  };
}

/**
 * Production's GPU where the profile asks for GPUs: resources.gpuProduct or the node selector's
 * product names it, resources.gpuMemory or the table of known GPUs gives its memory.
 */
export function productionGpuOfProfile(profile: Profile): ProductionGpu | undefined {
  const { gpu, gpuMemory, gpuProduct } = profile.resources;
  if (gpu === 0) return undefined;
  return productionGpuOf({
    ...(gpuMemory === undefined ? {} : { memoryBytes: quantityToBytes(gpuMemory) }),
    ...(gpuProduct === undefined ? {} : { product: gpuProduct }),
    ...(profile.cluster ? { nodeSelector: profile.cluster.nodeSelector } : {}),
  });
}

function withProductionGpu(limits: ResourceLimits, gpu: ProductionGpu | undefined): ResourceLimits {
  return gpu ? { ...limits, productionGpu: gpu } : limits;
}

/** A folder name as a Kubernetes name: "My Project_2" → "my-project-2". */
export function nameFromFolder(dir: string): string {
  const name = path
    .basename(dir)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return name || "parity-project";
}
