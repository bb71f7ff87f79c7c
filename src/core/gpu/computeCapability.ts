/** A GPU's compute capability: 8.0 for an A100, 9.0 for an H100. */
export interface ComputeCapability {
  major: number;
  minor: number;
}

/**
 * One architecture a framework was compiled for, as `torch.cuda.get_arch_list()` and TensorFlow's
 * `cuda_compute_capabilities` name them: `sm_80` is machine code (SASS) for 8.x GPUs, `compute_90`
 * PTX that the driver compiles for any GPU of 9.0 or newer when the program starts; an `a` suffix
 * (`sm_90a`) is code for exactly that chip, an `f` suffix (`sm_100f`) for its family.
 */
export interface BuiltArch {
  kind: "sass" | "ptx";
  capability: ComputeCapability;
  variant?: "a" | "f";
}

/** "sm_86", "compute_90", "sm_90a", "8.6" → what it is; undefined for anything else. */
export function parseBuiltArch(text: string): BuiltArch | undefined {
  const trimmed = text.trim().toLowerCase();
  const dotted = /^(\d+)\.(\d)$/.exec(trimmed);
  if (dotted) return { kind: "sass", capability: { major: Number(dotted[1]), minor: Number(dotted[2]) } };
  const named = /^(sm|compute)_(\d+)(\d)([af])?$/.exec(trimmed);
  if (!named) return undefined;
  return {
    kind: named[1] === "sm" ? "sass" : "ptx",
    capability: { major: Number(named[2]), minor: Number(named[3]) },
    ...(named[4] ? { variant: named[4] as "a" | "f" } : {}),
  };
}

/** "8.6" → 8.6; undefined unless it is major.minor. */
export function parseComputeCapability(text: string): ComputeCapability | undefined {
  const match = /^\s*(\d+)\.(\d+)\s*$/.exec(text);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

export function formatComputeCapability({ major, minor }: ComputeCapability): string {
  return `${major}.${minor}`;
}

/** The name frameworks use for a GPU's own architecture: 8.6 → "sm_86". */
export function smName({ major, minor }: ComputeCapability): string {
  return `sm_${major}${minor}`;
}

/**
 * How a build's kernels reach a GPU: `native` machine code for it; `ptx` only PTX the driver
 * compiles when the program starts (slow the first time, and only where the driver knows that
 * PTX); `none` when no kernel of the build can run on it ("no kernel image is available").
 */
export type ArchSupport = "native" | "ptx" | "none";

/**
 * Machine code runs on GPUs of the same major version and at least its minor one (sm_80 on an
 * 8.6 card, not sm_86 on an 8.0 one); PTX is compiled for any GPU at least as new.
 */
export function archSupport(built: readonly string[], gpu: ComputeCapability): ArchSupport {
  const archs = built.map(parseBuiltArch).filter((arch): arch is BuiltArch => arch !== undefined);
  if (archs.some((arch) => arch.kind === "sass" && sassRunsOn(arch, gpu))) return "native";
  if (archs.some((arch) => arch.kind === "ptx" && ptxRunsOn(arch, gpu))) return "ptx";
  return "none";
}

function sassRunsOn(arch: BuiltArch, gpu: ComputeCapability): boolean {
  if (arch.variant === "a") return sameCapability(arch.capability, gpu);
  return arch.capability.major === gpu.major && arch.capability.minor <= gpu.minor;
}

function ptxRunsOn(arch: BuiltArch, gpu: ComputeCapability): boolean {
  if (arch.variant === "a") return sameCapability(arch.capability, gpu);
  if (arch.variant === "f") return arch.capability.major === gpu.major && arch.capability.minor <= gpu.minor;
  return compareCapability(arch.capability, gpu) <= 0;
}

function sameCapability(a: ComputeCapability, b: ComputeCapability): boolean {
  return a.major === b.major && a.minor === b.minor;
}

export function compareCapability(a: ComputeCapability, b: ComputeCapability): number {
  return a.major - b.major || a.minor - b.minor;
}
