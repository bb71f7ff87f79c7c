import type { RunStatus } from "../job/types";
import type { TrialStatus } from "../tuning/types";
import { isFinished } from "../workload/status";

/** The first word of a trial's description in the Experiments view and of its row in the tuning panel. */
export const TRIAL_STATUS_WORDS: Record<TrialStatus, string> = {
  pending: "Pending",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  "metrics-unavailable": "Metrics unavailable",
  "early-stopped": "Early stopped",
  cancelled: "Cancelled",
  lost: "Lost",
};

/** A codicon id and its theme colour: the tree shows a trial's state as the Runs view shows a run's. */
export const TRIAL_STATUS_ICONS: Record<TrialStatus, { id: string; color?: string }> = {
  pending: { id: "circle-outline" },
  running: { id: "sync~spin", color: "charts.blue" },
  succeeded: { id: "pass", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
  "metrics-unavailable": { id: "warning", color: "problemsWarningIcon.foreground" },
  "early-stopped": { id: "debug-stop" },
  cancelled: { id: "circle-slash" },
  lost: { id: "question", color: "problemsWarningIcon.foreground" },
};

/** Whether a trial has ended (its record will not change but by a resume). */
export function trialEnded(status: TrialStatus): boolean {
  return status !== "pending" && status !== "running";
}

/** The order trial counts are said in. */
const COUNT_ORDER: TrialStatus[] = [
  "running",
  "succeeded",
  "early-stopped",
  "metrics-unavailable",
  "failed",
  "cancelled",
  "lost",
  "pending",
];

/** "1 running, 3 succeeded, 1 failed": the trials by status, none left out, zeros left out. */
export function trialCounts(trials: readonly { status: TrialStatus }[]): string {
  return COUNT_ORDER.map(
    (status) => [status, trials.filter((trial) => trial.status === status).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${TRIAL_STATUS_WORDS[status].toLowerCase()}`)
    .join(", ");
}

/** A metric's value as a short number: "0.893927", "1.23e-5"; the whole text where it is not a number. */
export function shortNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) return value.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(6)));
}

/**
 * A trial's status as it is shown: a trial recorded as running in an experiment that has ended
 * (cancelled, or lost with the process that ran it) is not running any more; it ended with it.
 */
export function shownTrialStatus(trial: TrialStatus, experiment: RunStatus): TrialStatus {
  if (trial !== "running" || !isFinished(experiment)) return trial;
  return experiment === "cancelled" ? "cancelled" : "lost";
}

/** An experiment's trials as they are shown (see shownTrialStatus). */
export function shownTrials<T extends { status: TrialStatus }>(
  trials: readonly T[],
  experiment: RunStatus,
): T[] {
  return trials.map((trial) => {
    const status = shownTrialStatus(trial.status, experiment);
    return status === trial.status ? trial : { ...trial, status };
  });
}
