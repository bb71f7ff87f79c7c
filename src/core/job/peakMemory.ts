import { formatBytes } from "../profile/quantity";
import type { PeakMemorySource, RunResult } from "./types";

/** A run's peak memory with where it came from: there is none where it was not measured. */
export interface MeasuredPeak {
  bytes: number;
  source: PeakMemorySource;
}

const SOURCES: Record<PeakMemorySource, string> = {
  "cgroup-v2": "the kernel's memory.peak of its container",
  "cgroup-v1": "the kernel's memory.max_usage_in_bytes of its container",
  "oom-limit": "killed for memory at its limit",
};

/**
 * The record's peak, only when it says where it came from: records written before the source was
 * kept hold the highest of the engine's once-a-second samples, which is not a peak.
 */
export function measuredPeak(
  result: Pick<RunResult, "peakMemoryBytes" | "peakMemorySource">,
): MeasuredPeak | undefined {
  const { peakMemoryBytes: bytes, peakMemorySource: source } = result;
  if (bytes === undefined || source === undefined || !(source in SOURCES)) return undefined;
  return { bytes, source };
}

/** "212 MiB (the kernel's memory.max_usage_in_bytes of its container)", or "not measured". */
export function describePeak(peak: MeasuredPeak | undefined): string {
  return peak ? `${formatBytes(peak.bytes)} (${SOURCES[peak.source]})` : "not measured";
}

/**
 * A run's memory against its limit, saying where the peak came from: "peak 212 MiB of the 512 MiB
 * limit (41%; the kernel's ...)", "OOMKilled: reached the 128 MiB limit, ...", "512 MiB limit,
 * peak not measured".
 */
export function describeMemory(
  result: Pick<RunResult, "oomKilled" | "memoryLimitBytes" | "peakMemoryBytes" | "peakMemorySource">,
): string {
  const limit = formatBytes(result.memoryLimitBytes);
  if (result.oomKilled) return `OOMKilled: reached the ${limit} limit, so its peak is the limit it hit`;
  const peak = measuredPeak(result);
  if (!peak) return `${limit} limit, peak not measured`;
  const share =
    result.memoryLimitBytes > 0 ? `${Math.round((100 * peak.bytes) / result.memoryLimitBytes)}%; ` : "";
  return `peak ${formatBytes(peak.bytes)} of the ${limit} limit (${share}${SOURCES[peak.source]})`;
}

/**
 * A local run's peak as it ended: the job's own report of its cgroup's counter, or, killed for
 * memory (it could not report), the limit it reached. The engine's stats are never used: they are
 * samples a second apart, and a short run is sampled at its start.
 */
export function peakAtEnd(
  end: { oomKilled: boolean; reported?: MeasuredPeak },
  limitBytes: number,
): MeasuredPeak | undefined {
  if (end.oomKilled) return limitBytes > 0 ? { bytes: limitBytes, source: "oom-limit" } : undefined;
  return end.reported;
}
