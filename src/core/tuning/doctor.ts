import type { Diagnosis } from "../diagnosis/types";
import type { RunResult } from "../job/types";
import { formatBytes } from "../profile/quantity";
import { explainMissingMetric } from "./metrics";
import type { Experiment, TrialState } from "./types";

export interface DoctorEvidence {
  experiment: Experiment;
  /** The first trial, ended. */
  trial: TrialState;
  /** Its job run's record; absent when it could not start. */
  run?: RunResult;
  /** What the collector read: the trial's output (StdOut) or its metrics file (File). */
  lines: { text: string }[];
  /** How many trials the experiment would still run, where it says (maxTrialCount). */
  remaining?: number;
}

/**
 * The experiment doctor's word on the first trial: a reason not to start the others, or none.
 * A trial that ran out of memory at the limit, failed, or ended without an objective Katib's
 * collector can read would waste every trial after it in the same way.
 */
export function doctorVerdict({
  experiment,
  trial,
  run,
  lines,
  remaining,
}: DoctorEvidence): Diagnosis | undefined {
  const others =
    remaining === undefined
      ? "the others were"
      : remaining === 1
        ? "the other one was"
        : `the other ${remaining} were`;
  const metric = experiment.spec.objective.objectiveMetricName;
  if (trial.status === "failed" && run?.oomKilled) {
    return {
      code: "DoctorTrialOutOfMemory",
      severity: "error",
      message: `The first trial, ${trial.name}, ran out of memory at the profile's limit of ${formatBytes(run.memoryLimitBytes)}; every trial runs with the same limit, so ${others} not started.`,
      fix: `Make the notebook use less memory (a smaller batch size or model), or raise resources.memory in parity.yaml if production allows it; the trial's run: parity logs ${run.runId}`,
    };
  }
  if (trial.status === "failed") {
    const error = run?.diagnosis.find((item) => item.severity === "error");
    return {
      code: "DoctorTrialFailed",
      severity: "error",
      message: `The first trial, ${trial.name}, failed (${trial.reason ?? "see its run"}), so ${others} not started.`,
      fix: error?.fix ?? `Read the trial's logs and diagnosis: parity logs ${trial.runId ?? ""}`.trim(),
      ...(error?.location && { location: error.location }),
    };
  }
  // Katib's filter can read a value that is no number (accuracy=nan reads as ""): the search would go blind.
  const unreadable = trial.status === "succeeded" && trial.objective === undefined;
  if (trial.status !== "metrics-unavailable" && !unreadable) return undefined;
  const collector = experiment.spec.metricsCollector;
  const where = collector.kind === "File" ? `its metrics file ${collector.path}` : "its output";
  const explained = explainMissingMetric(lines, metric, collector);
  const seen =
    explained?.line !== undefined ? ` Line ${explained.line} of ${where} reads "${explained.text}".` : "";
  return {
    code: "DoctorMetricNotCollected",
    severity: "error",
    message: unreadable
      ? `The first trial, ${trial.name}, reported ${metric} in ${where} as a value that is not a number (Katib records it as it is, and no trial could be compared with another); ${others} not started.${seen}`
      : `The first trial, ${trial.name}, ended without a value of ${metric} that Katib's ${collector.kind} collector can read from ${where}, so Katib would record every trial as "metrics unavailable"; ${others} not started.${seen}`,
    fix:
      explained?.fix ??
      `Print the objective as ${metric}=<number> on a line of its own (Katib's default filter), or give metricsCollectorSpec a filter that matches what the notebook prints.`,
  };
}
