import type { RunResult } from "../job/types";
import { metricsAvailable, objectiveValue, observe, readJsonMetrics, readStdOutMetrics } from "./metrics";
import type { ExperimentSpec, MetricReading, TrialState, TrialStatus } from "./types";

/** The names a trial's collector looks for: the objective first, then the additional metrics. */
export function metricNames(spec: ExperimentSpec): string[] {
  return [spec.objective.objectiveMetricName, ...spec.objective.additionalMetricNames];
}

/** What the File collector reads from a trial's metrics file, as Katib reads it (TEXT or JSON lines). */
export function fileReadings(
  spec: ExperimentSpec,
  text: string,
): { lines: { text: string }[]; readings: MetricReading[] } {
  const collector = spec.metricsCollector;
  const lines = text.split("\n").map((line) => ({ text: line }));
  const names = metricNames(spec);
  if (collector.kind !== "File") return { lines, readings: [] };
  const readings =
    collector.format === "JSON"
      ? readJsonMetrics(lines, names).readings
      : readStdOutMetrics(lines, names, collector.filters).readings;
  return { lines, readings };
}

/**
 * How a trial ended, from its job run and the readings its collector took, by Katib's rules: a run
 * that succeeded with its objective metric available succeeded (else its metrics are
 * unavailable), one stopped by medianstop was stopped early; only these two have an objective,
 * since Katib observes no other.
 */
export function trialEnd(
  spec: ExperimentSpec,
  result: RunResult | undefined,
  readings: MetricReading[],
  options: { earlyStopped?: boolean; cancelled?: boolean; failure?: string } = {},
): Pick<TrialState, "status" | "metrics" | "objective" | "finishedAt" | "reason"> {
  const metrics = observe(readings, metricNames(spec), spec.objective.metricStrategies);
  const objective = objectiveValue(metrics, spec.objective);
  const status: TrialStatus = options.earlyStopped
    ? "early-stopped"
    : result?.status === "succeeded"
      ? metricsAvailable(metrics, spec.objective.objectiveMetricName)
        ? "succeeded"
        : "metrics-unavailable"
      : result?.status === "cancelled" || (!result && options.cancelled)
        ? "cancelled"
        : result?.status === "lost"
          ? "lost"
          : "failed";
  const observed = status === "succeeded" || status === "early-stopped";
  const reason = options.failure ?? reasonOf(status, result, spec.objective.objectiveMetricName);
  return {
    status,
    metrics,
    ...(observed && objective !== undefined && { objective }),
    finishedAt: result?.finishedAt ?? new Date().toISOString(),
    ...(reason && { reason }),
  };
}

function reasonOf(status: TrialStatus, result: RunResult | undefined, metric: string): string | undefined {
  if (status === "metrics-unavailable") return `it ended without reporting ${metric}`;
  if (status !== "failed") return undefined;
  if (!result) return "it could not start";
  const error = result.diagnosis.find((item) => item.severity === "error");
  if (error) return error.message.replace(/\.$/, "");
  return result.exitCode !== null ? `exit ${result.exitCode}` : undefined;
}
