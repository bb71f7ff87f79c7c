import type { Environment } from "../environment/types";
import type { ParityInput, ParityItem, ParityProfile } from "./types";
import { formatBytes } from "../profile/quantity";
import { formatQuantity } from "./units";

const NEAR_LIMIT = 0.9;
/** Below this, PyTorch DataLoader workers fill /dev/shm and die with "bus error". */
const SMALL_SHM_BYTES = 1024 ** 3;
const REDUCE = "Reduce peak memory (smaller batches, load data in chunks, del large objects)";

/** Production's limits against this machine and against what the last run used. */
export function checkLimits(input: ParityInput): ParityItem[] {
  const { profile, local, lastRun } = input;
  const limit = formatBytes(profile.memoryBytes);
  const items: ParityItem[] = [];
  const peak = lastRun?.peakMemoryBytes;
  const raise = peak ? ` or set resources.memory to ${formatQuantity(peak * 1.2)} in parity.yaml` : "";
  if (lastRun?.oomKilled) {
    // A killed run's real need is unknown: it stopped at the limit it ran with.
    const ranWith = formatBytes(lastRun.memoryLimitBytes);
    const now = ranWith === limit ? "" : ` (${profile.source ?? "parity.yaml"} now says ${limit})`;
    items.push({
      severity: "error",
      code: "MemoryOomKilled",
      subject: "memory",
      message: `Your last run was killed for going over its ${ranWith} memory limit (OOMKilled): it needs more than ${ranWith}${now}.`,
      fix: `${REDUCE}, or raise resources.memory in parity.yaml if production allows more (run again to measure the new peak).`,
    });
  } else if (peak !== undefined && peak > profile.memoryBytes) {
    items.push({
      severity: "error",
      code: "MemoryPeakOver",
      subject: "memory",
      message: `Your notebook peaked at ${formatBytes(peak)} in its last run (the kernel's count); the production limit is ${limit}.`,
      fix: `${REDUCE}${raise}.`,
    });
  } else if (peak !== undefined && peak > NEAR_LIMIT * profile.memoryBytes) {
    items.push({
      severity: "warning",
      code: "MemoryPeakNear",
      subject: "memory",
      message: `Your notebook peaked at ${formatBytes(peak)} in its last run (the kernel's count), ${Math.round((100 * peak) / profile.memoryBytes)}% of the production limit of ${limit}.`,
      fix: `${REDUCE}${raise}: a larger input in production will be OOM-killed.`,
    });
  }
  if (local) items.push(...localMachine(profile, local, limit));
  if (profile.shmBytes < SMALL_SHM_BYTES && input.notebookImports.includes("torch")) {
    const here = local?.shmBytes ? ` (here: ${formatBytes(local.shmBytes)})` : "";
    items.push({
      severity: "warning",
      code: "ShmSmall",
      subject: "shm",
      message: `Production gives /dev/shm ${formatBytes(profile.shmBytes)}${here} and the notebook uses torch: DataLoader workers pass batches through /dev/shm and crash with "bus error" when it fills.`,
      fix: "Set resources.shm to 2Gi in parity.yaml, or use DataLoader(num_workers=0).",
    });
  }
  return items;
}

function localMachine(profile: ParityProfile, local: Environment, limit: string): ParityItem[] {
  const items: ParityItem[] = [];
  const total = local.memory.totalBytes;
  const localLimit = local.memory.limitBytes;
  const available = Math.min(total ?? Infinity, localLimit ?? Infinity);
  if (available < profile.memoryBytes) {
    items.push({
      severity: "info",
      code: "MemorySmallerLocal",
      subject: "memory",
      message: `Your notebook gets ${formatBytes(available)} here; production allows ${limit}, so running out of memory here does not mean production will.`,
      fix: "Run it on the cluster target to test with production's memory.",
    });
  } else if (localLimit === undefined || localLimit > profile.memoryBytes) {
    const here =
      localLimit === undefined ? "without a memory limit" : `with a ${formatBytes(localLimit)} limit`;
    items.push({
      severity: "info",
      code: "MemoryUnlimitedLocal",
      subject: "memory",
      message: `Your notebook runs ${here} here${total ? ` (this machine has ${formatBytes(total)})` : ""}; production allows ${limit}.`,
      fix: `Run it with Parity on local Docker, which applies production's ${limit} limit, to see an OOM here first.`,
    });
  }
  const hasGpu = local.gpus.length > 0 || local.frameworks.torch?.cudaAvailable === true;
  if (profile.gpu > 0 && !hasGpu) {
    items.push({
      severity: "warning",
      code: "GpuMissingLocal",
      subject: "gpu",
      message: `Production gives this job ${profile.gpu === 1 ? "1 GPU" : `${profile.gpu} GPUs`}; this machine has none, so GPU code paths (CUDA memory, cuDNN kernels) are not exercised here.`,
      fix: "Run it on the cluster target before shipping, or set resources.gpu to 0 in parity.yaml if it needs no GPU.",
    });
  }
  return items;
}
