import type { ProductionGpu } from "../gpu/productionGpu";
import { formatBytes } from "../profile/quantity";
import type { CodeLocation, Diagnosis, PythonFailure } from "./types";

/** What a framework's out-of-memory message says, as far as the explanation needs it. */
interface GpuOutOfMemory {
  /** XLA: a RESOURCE_EXHAUSTED of XLA's allocator with no sign of JAX in the log (TensorFlow's XLA). */
  framework: "PyTorch" | "TensorFlow" | "JAX" | "XLA" | "CUDA";
  /** What it tried to allocate: "8.00 GiB", "a float tensor of shape [128,768]". */
  tried?: string;
  /** The limit of a memory fraction, as PyTorch states it ("40.00 GiB allowed"). */
  allowed?: string;
  /** The GPU's own memory as the framework saw it ("79.19 GiB"). */
  capacity?: string;
  /** Pinned host memory (CUDA_ERROR_OUT_OF_MEMORY "on host"), not the GPU's. */
  host?: boolean;
}

/** Parity's own lines in a run's log (the job runtime's): they name CUDA's failures to say what was checked. */
const PARITY_LINE = "Parity: ";
/** How much of a line after the text looked for is read: a progress bar or a dumped array may run to megabytes on one line. */
const LINE_CAP = 8192;
/** How much before it: a GPU's name before "with CUDA capability". */
const LEAD = 256;
/** A size as frameworks print it ("8.00 GiB", "2.99GiB"), bounded so that a run of digits costs nothing. */
const SIZE = String.raw`\d{1,7}(?:\.\d{1,2})? ?[KMGT]?i?B`;

/**
 * The log as the GPU checks read it: Parity's own lines left out, each line that holds one of
 * `literals` cut to the part around it. Regular expressions then run on a few kilobytes, never
 * on a megabyte line.
 */
class GpuLog {
  private readonly lines: string[];

  constructor(log: string) {
    this.lines = log.split("\n").filter((line) => !line.startsWith(PARITY_LINE));
  }

  /** The first line with `literal`, from a little before it to LINE_CAP after it. */
  around(literal: string): string | undefined {
    for (const line of this.lines) {
      const index = line.indexOf(literal);
      if (index >= 0) return line.slice(Math.max(0, index - LEAD), index + LINE_CAP);
    }
    return undefined;
  }

  /** The first match of `pattern` in a line that holds `literal`. */
  match(literal: string, pattern: RegExp): RegExpExecArray | undefined {
    for (const line of this.lines) {
      const index = line.indexOf(literal);
      if (index < 0) continue;
      const match = pattern.exec(line.slice(Math.max(0, index - LEAD), index + LINE_CAP));
      if (match) return match;
    }
    return undefined;
  }

  /** Whether a line holds any of `literals`. */
  has(...literals: string[]): boolean {
    return this.lines.some((line) => literals.some((literal) => line.includes(literal)));
  }

  /** Whether one line holds `first`, and `pattern` matches from a little before it on. */
  test(first: string, pattern: RegExp): boolean {
    return this.match(first, pattern) !== undefined;
  }
}

const TORCH_OOM = new RegExp(
  String.raw`CUDA out of memory\. Tried to allocate (${SIZE})(?:\. GPU \d{1,3} has a total capac(?:i)?ty of (${SIZE})| \(GPU \d{1,3}; (${SIZE}) total capacity)?`,
);
const TORCH_ALLOWED = new RegExp(String.raw`(${SIZE}) allowed;`);
const TENSORFLOW_OOM =
  /OOM when allocating tensor (?:with|of) shape ?\[([\d,\s]{0,200})\](?: and type (\w{1,20}))?/;
const XLA_OOM = new RegExp(
  String.raw`RESOURCE_EXHAUSTED: (?:Out of memory (?:while trying to allocate|allocating) (\d{1,20}) bytes|Failed to allocate request for (${SIZE}))`,
);
const CUDA_OOM =
  /failed to alloc(?:ate)? (?:\d{1,7}(?:\.\d{1,3})?\w? \()?(\d{1,20}) bytes\)? (from device|on host): CUDA_ERROR_OUT_OF_MEMORY/;

/**
 * The real messages of each framework: PyTorch 2.4+ ("torch.OutOfMemoryError: CUDA out of memory.
 * Tried to allocate 8.00 GiB. GPU 0 has a total capacity of 79.19 GiB ... 40.00 GiB allowed;"),
 * 2.1–2.3 ("total capacty"), older ("(GPU 0; 6.00 GiB total capacity; ..."), TensorFlow's
 * ResourceExhaustedError ("OOM when allocating tensor with shape[...] and type float on
 * .../device:GPU:0 by allocator GPU_0_bfc"), XLA's (JAX's) ("RESOURCE_EXHAUSTED: Out of memory
 * while trying to allocate 7406166528 bytes." and older spellings), and the CUDA driver's own
 * error that TensorFlow and JAX log ("failed to allocate 17.79G (19104890880 bytes) from device:
 * CUDA_ERROR_OUT_OF_MEMORY").
 */
function readGpuOutOfMemory(log: GpuLog): GpuOutOfMemory | undefined {
  const torchLine = log.around("CUDA out of memory. Tried to allocate");
  const torch = torchLine ? TORCH_OOM.exec(torchLine) : null;
  if (torchLine && torch) {
    const allowed = TORCH_ALLOWED.exec(torchLine)?.[1];
    return {
      framework: "PyTorch",
      tried: torch[1],
      ...(allowed ? { allowed } : {}),
      ...(torch[2] || torch[3] ? { capacity: torch[2] ?? torch[3] } : {}),
    };
  }
  const tensorflow = log.match("OOM when allocating tensor", TENSORFLOW_OOM);
  if (tensorflow) {
    const type = tensorflow[2] ? `${tensorflow[2]} ` : "";
    return { framework: "TensorFlow", tried: `a ${type}tensor of shape [${tensorflow[1]}]` };
  }
  const xla = log.match("RESOURCE_EXHAUSTED: ", XLA_OOM);
  if (xla) {
    // XLA is JAX's compiler and TensorFlow's: only a JAX traceback or module makes it JAX's.
    const framework = log.has("jax", "JaxRuntimeError", "XlaRuntimeError") ? "JAX" : "XLA";
    return { framework, tried: xla[1] ? formatBytes(Number(xla[1])) : xla[2] };
  }
  const cuda = log.match("CUDA_ERROR_OUT_OF_MEMORY", CUDA_OOM);
  if (cuda) {
    return {
      framework: "CUDA",
      tried: formatBytes(Number(cuda[1])),
      ...(cuda[2] === "on host" ? { host: true } : {}),
    };
  }
  if (
    log.has(
      "CUDA out of memory",
      "CUDA_ERROR_OUT_OF_MEMORY",
      "cudaErrorMemoryAllocation",
      "RESOURCE_EXHAUSTED: OOM",
    )
  ) {
    return { framework: "CUDA" };
  }
  return undefined;
}

/** What works against each framework's GPU memory, in the order worth trying. */
const REMEDIES: Record<GpuOutOfMemory["framework"], string> = {
  PyTorch:
    "lower the batch size and accumulate gradients over several batches (the same effective batch), train in mixed precision (torch.autocast with bfloat16 or float16), or recompute activations in the backward pass (torch.utils.checkpoint)",
  TensorFlow:
    "lower the batch size and accumulate gradients over several batches, train in mixed precision (keras.mixed_precision.set_global_policy('mixed_float16')), or recompute activations (tf.recompute_grad)",
  JAX: "lower the batch size and accumulate gradients over several batches (optax.MultiSteps), compute in bfloat16, or recompute activations (jax.checkpoint)",
  XLA: "lower the batch size and accumulate gradients over several batches, compute in bfloat16 or float16, or recompute activations in the backward pass (activation checkpointing)",
  CUDA: "lower the batch size and accumulate gradients over several batches, train in mixed precision, or recompute activations in the backward pass (activation checkpointing)",
};

export interface GpuEvidence {
  log: string;
  /** Production's GPU, when the profile says it. */
  gpu?: ProductionGpu;
  /** The run ran on production's GPU itself (a cluster run), not on a local one held to it. */
  onProductionGpu?: boolean;
  location?: CodeLocation;
  shmBytes?: number;
}

/**
 * A failure of the GPU stack in a run's log, explained against production's GPU: out of GPU memory
 * (each framework's own message), no kernel for the GPU, a driver too old for the image's CUDA,
 * NCCL failing to start. Undefined when the log shows none of them. Parity's own lines in the log
 * (the job runtime's, which name these failures to say what was checked) are never read.
 */
export function diagnoseGpuFailure(evidence: GpuEvidence): Diagnosis | undefined {
  const log = new GpuLog(evidence.log);
  const outOfMemory = readGpuOutOfMemory(log);
  if (outOfMemory) return outOfMemoryDiagnosis(outOfMemory, evidence);
  return noKernelImage(log, evidence.location) ?? driverTooOld(log) ?? ncclFailure(log, evidence.shmBytes);
}

/** A local run that asked for GPUs on a Docker engine without an NVIDIA runtime: it ran without them. */
export const RAN_WITHOUT_GPU = "RanWithoutGpu";

/**
 * What the record of such a run says: it had no GPU, so production's GPU could not be checked
 * (its memory limit, CUDA itself); the job's runtime said the same in its log.
 */
export function ranWithoutGpu(gpus: number, production: ProductionGpu | undefined): Diagnosis {
  const held = production?.memoryBytes
    ? `production's ${production.product ?? "GPU"} memory limit (${formatBytes(production.memoryBytes)}), `
    : "";
  return {
    code: RAN_WITHOUT_GPU,
    severity: "warning",
    message: `The run had no GPU: the profile asks for ${gpus}, but this Docker engine has no NVIDIA runtime, so its GPU checks were skipped (${held}running out of GPU memory, "no kernel image", NCCL).`,
    fix: "Install the NVIDIA Container Toolkit on this machine and restart Docker to run with a GPU locally; the cluster target runs on production's GPUs.",
  };
}

/** The exceptions a failure of the GPU stack raises in Python; the last part of a dotted name. */
const GPU_EXCEPTIONS = new Set([
  "OutOfMemoryError", // torch.OutOfMemoryError, torch.cuda.OutOfMemoryError
  "ResourceExhaustedError", // TensorFlow
  "XlaRuntimeError", // jaxlib
  "JaxRuntimeError", // jax 0.4.36+
  "DistBackendError", // torch.distributed, NCCL
  "AcceleratorError", // torch 2.8+: a CUDA error
]);
/** Exceptions that are the GPU stack's only when their message says CUDA, NCCL or XLA. */
const GPU_WORDS = /CUDA|NVIDIA|cuDNN|CUBLAS|NCCL|RESOURCE_EXHAUSTED|no kernel image/i;

/**
 * Whether the Python exception the run failed with can be the GPU failure in its log: a run that
 * failed with a KeyError is explained by the KeyError, whatever a library logged about the GPU.
 */
export function isGpuException(failure: PythonFailure): boolean {
  const name = failure.exception.split(".").pop() ?? "";
  if (GPU_EXCEPTIONS.has(name)) return true;
  return ["RuntimeError", "InternalError", "UnknownError"].includes(name) && GPU_WORDS.test(failure.message);
}

function outOfMemoryDiagnosis(oom: GpuOutOfMemory, evidence: GpuEvidence): Diagnosis {
  const where = describeLocation(evidence.location);
  const location = evidence.location ? { location: evidence.location } : {};
  if (oom.host) {
    return {
      code: "PinnedHostOutOfMemory",
      severity: "error",
      message: `CUDA could not allocate ${oom.tried ?? "pinned"} host memory${where} (CUDA_ERROR_OUT_OF_MEMORY "on host"): pinned memory for transfers to the GPU counts against the container's memory limit.`,
      fix: "Pin less memory (DataLoader(pin_memory=False), smaller prefetch buffers), or raise resources.memory in parity.yaml if production allows more.",
      ...location,
    };
  }
  const tried = oom.tried ? `: ${oom.framework} tried to allocate ${oom.tried}` : "";
  const fix = `To fit ${evidence.gpu?.memoryBytes ? formatBytes(evidence.gpu.memoryBytes) : "the GPU"}: ${REMEDIES[oom.framework]}; or ask for a GPU with more memory (resources.gpuProduct in parity.yaml).`;
  return {
    code: "GpuOutOfMemory",
    severity: "error",
    message: `The GPU ran out of memory${where}${tried}.${againstProduction(oom, evidence)}`,
    fix: capitalize(fix),
    ...location,
  };
}

/**
 * What the out-of-memory means for production: stopped at the limit Parity set (PyTorch says it),
 * or at a memory fraction the notebook set itself; on production's GPU itself (a cluster run); on a
 * GPU smaller than production's (it may fit there); or held to production's memory.
 */
function againstProduction(oom: GpuOutOfMemory, evidence: GpuEvidence): string {
  const { gpu } = evidence;
  const memory = gpu?.memoryBytes ? formatBytes(gpu.memoryBytes) : undefined;
  const name = `production's ${gpu?.product ?? "GPU"}`;
  const allowed = oom.allowed ? sizeInBytes(oom.allowed) : undefined;
  const parityLimit =
    !evidence.onProductionGpu &&
    allowed !== undefined &&
    gpu?.memoryBytes !== undefined &&
    Math.abs(allowed - gpu.memoryBytes) <= gpu.memoryBytes * 0.01;
  if (oom.allowed && !parityLimit) {
    return ` It stopped at the ${oom.allowed} allowed by a memory fraction the notebook set (torch.cuda.set_per_process_memory_fraction), not by Parity${memory ? `; ${name} has ${memory}` : ""}.`;
  }
  if (evidence.onProductionGpu) {
    return memory ? ` It ran on ${name} itself (${memory}).` : ` It ran on ${name} itself.`;
  }
  if (!memory || !gpu?.memoryBytes) {
    return " The profile (parity.yaml) does not say which GPU production has, so this run was not held to its memory: set resources.gpuProduct (or resources.gpuMemory) to see production's out of memory here first.";
  }
  if (parityLimit) {
    return ` It stopped at the ${oom.allowed} Parity allows on this GPU: ${name} has ${memory}, so it runs out of GPU memory there the same way.`;
  }
  const capacity = oom.capacity ? sizeInBytes(oom.capacity) : undefined;
  if (capacity !== undefined && capacity < gpu.memoryBytes * 0.99) {
    return ` This GPU has ${oom.capacity}, less than the ${memory} of ${name}: it may fit there; run it on the cluster target to know.`;
  }
  return ` ${capitalize(name)} has ${memory}; Parity holds local runs to it where the GPU has more.`;
}

/** "79.19 GiB" → bytes. */
function sizeInBytes(text: string): number | undefined {
  const match = /^([\d.]+)\s?([KMGT]?)i?B$/.exec(text.trim());
  if (!match) return undefined;
  const power = " KMGT".indexOf(match[2] || " ");
  return Number(match[1]) * 1024 ** power;
}

/** The GPU's name starts the warning's line (torch's message begins with a new line). */
const TORCH_ARCH_WARNING =
  /(?:^|UserWarning: )\s*(\S.{0,200}?) with CUDA capability (sm_\d{1,4}) is not compatible with the current PyTorch installation/;
const TORCH_ARCHS = /supports CUDA capabilities ([^.]{1,400})/;

/**
 * "no kernel image is available for execution on the device": the framework has no code for this
 * GPU's architecture. PyTorch warns first which architectures it has ("NVIDIA A100-PCIE-40GB with
 * CUDA capability sm_80 is not compatible with the current PyTorch installation. The current
 * PyTorch install supports CUDA capabilities sm_37 sm_50 sm_60 sm_70."): the warning alone is no
 * failure (a run may not use the GPU), it only says more of the error.
 */
function noKernelImage(log: GpuLog, location: CodeLocation | undefined): Diagnosis | undefined {
  if (!log.has("no kernel image is available for execution on the device")) return undefined;
  const warning = log.match(" with CUDA capability ", TORCH_ARCH_WARNING);
  // The architectures torch has are on the warning's next line.
  const supported = warning && log.match("The current PyTorch install supports", TORCH_ARCHS)?.[1];
  const which = warning
    ? ` The ${warning[1]} is ${warning[2]}${supported ? `; this torch was built for ${supported.trim()} only` : ""}.`
    : "";
  return {
    code: "NoKernelImage",
    severity: "error",
    message: `The framework has no CUDA code for this GPU's architecture ("no kernel image is available for execution on the device")${describeLocation(location)}.${which}`,
    fix: "Install a build of the framework made for this GPU (for PyTorch a wheel of a newer CUDA, e.g. --index-url https://download.pytorch.org/whl/cu128) in requirements.txt and build again; `parity check` compares the image's architectures with production's GPU.",
    ...(location ? { location } : {}),
  };
}

/** "CUDA driver version is insufficient for CUDA runtime version" and its spellings. */
function driverTooOld(log: GpuLog): Diagnosis | undefined {
  if (
    !log.has(
      "CUDA driver version is insufficient for CUDA runtime version",
      "cudaErrorInsufficientDriver",
      "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
      "The NVIDIA driver on your system is too old",
    )
  ) {
    return undefined;
  }
  return {
    code: "CudaDriverTooOld",
    severity: "error",
    message:
      "The NVIDIA driver is older than the CUDA the image's framework was built with, so it cannot start CUDA.",
    fix: "Use a framework build for an older CUDA (one the nodes' driver supports; `parity check` names it), or update the driver.",
  };
}

const NCCL_ERROR =
  /NCCL error.{0,400}?(unhandled system error|unhandled cuda error|internal error|invalid usage|remote process exited or there was a network error)/i;
const NCCL_RESULT =
  /\b(ncclSystemError|ncclUnhandledCudaError|ncclInternalError|ncclInvalidUsage|ncclRemoteError)\b/;

/**
 * NCCL failing between GPUs: most often, in a container, its shared memory segments do not fit
 * /dev/shm ("Error while creating shared memory segment /dev/shm/nccl-... (size 7340384)").
 */
function ncclFailure(log: GpuLog, shmBytes: number | undefined): Diagnosis | undefined {
  if (
    log.has("Error while creating shared memory segment /dev/shm/nccl") ||
    log.test("NCCL", /NCCL.{0,400}?Error while (?:creating|attaching to) shared memory segment/)
  ) {
    const size = shmBytes ? ` (${formatBytes(shmBytes)} here)` : "";
    return {
      code: "NcclSharedMemory",
      severity: "error",
      message: `NCCL could not create its shared memory segment in /dev/shm${size}: the GPUs of one pod talk through it.`,
      fix: "Raise resources.shm in parity.yaml (1Gi or more for several GPUs); production's pods get the same /dev/shm.",
    };
  }
  const nccl = log.match("NCCL", NCCL_ERROR) ?? log.match("nccl", NCCL_RESULT);
  if (!nccl) return undefined;
  return {
    code: "NcclError",
    severity: "error",
    message: `NCCL, which moves tensors between GPUs, failed (${nccl[1]}).`,
    fix: 'Add NCCL_DEBUG: "INFO" to env in parity.yaml and run again: NCCL then logs the call that failed (shared memory, network interface, a GPU each replica must see once).',
  };
}

function describeLocation(location: CodeLocation | undefined): string {
  if (!location) return "";
  const where = location.cell ? `cell ${location.cell}` : location.file;
  return ` in ${where}${location.line ? `, line ${location.line}` : ""}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
