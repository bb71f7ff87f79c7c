import { readFile } from "node:fs/promises";
import path from "node:path";
import type { RunResult } from "../../core/job/types";
import { readStdOutMetrics } from "../../core/tuning/metrics";
import type { TrialEndState } from "../../core/tuning/settled";
import { fileReadings, metricNames, trialEnd } from "../../core/tuning/trialEnd";
import type { ExperimentSpec } from "../../core/tuning/types";
import { readRunLogs } from "../store/runStore";

/** Where a trial's metrics file is kept below its run's folder (the File collector's folder is mounted there). */
export const METRICS_FOLDER = "metrics";

/**
 * How a trial whose job run ended ended by Katib's rules, its metrics read from that run as the
 * collector reads them: its output (StdOut), or its metrics file (File). For a run that ended
 * while no experiment process watched it (settled since, from its container).
 */
export async function collectedTrialEnd(
  runDir: string,
  spec: ExperimentSpec,
  run: RunResult,
): Promise<TrialEndState> {
  const collector = spec.metricsCollector;
  const readings =
    collector.kind === "File"
      ? fileReadings(
          spec,
          await readFile(
            path.join(runDir, METRICS_FOLDER, path.posix.basename(collector.path)),
            "utf8",
          ).catch(() => ""),
        ).readings
      : readStdOutMetrics(await readRunLogs({ dir: runDir }), metricNames(spec), collector.filters).readings;
  return trialEnd(spec, run, readings);
}
