import path from "node:path";
import type { RunResult, RunStatus, TargetName } from "../../core/job/types";

/** The first word of a run's description: E2E tests and users read it. */
export const STATUS_WORDS: Record<RunStatus, string> = {
  pending: "Pending",
  building: "Building",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** A codicon id and its theme colour, so the view needs no icons of its own. */
export interface RunIcon {
  id: string;
  color?: string;
}

const ICONS: Record<RunStatus, RunIcon> = {
  pending: { id: "clock" },
  building: { id: "loading~spin" },
  running: { id: "sync~spin", color: "charts.blue" },
  succeeded: { id: "pass", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
  cancelled: { id: "circle-slash" },
};

/** What the Runs view needs of a run: a recorded result, or one still building in this window. */
export interface RunSummary {
  runId: string;
  target: TargetName;
  status: RunStatus;
  notebook: string;
  exitCode: number | null;
  oomKilled: boolean;
  image?: string;
  startedAt?: string;
  durationMs?: number;
  diagnosis?: RunResult["diagnosis"];
}

export interface RunPresentation {
  label: string;
  description: string;
  tooltip: string;
  contextValue: string;
  icon: RunIcon;
}

/**
 * `orphaned`: recorded as live, but no container runs for it and no window owns it: the process
 * that started it was killed before it could record the end.
 */
export function presentRun(run: RunSummary, orphaned = false): RunPresentation {
  const parts = [STATUS_WORDS[run.status]];
  if (orphaned) parts.push("container gone");
  if (run.durationMs !== undefined && isFinished(run.status)) parts.push(formatDuration(run.durationMs));
  if (run.exitCode !== null && run.status !== "cancelled") parts.push(`exit ${run.exitCode}`);
  if (run.oomKilled) parts.push("out of memory");
  const label = path.basename(run.notebook);
  const tooltip = [
    `${label}: ${STATUS_WORDS[run.status].toLowerCase()}`,
    `Run ${run.runId} on ${run.target === "local" ? "local Docker" : "the cluster"}`,
    ...(run.image ? [`Image ${run.image}`] : []),
    ...(run.startedAt ? [`Started ${run.startedAt}`] : []),
    ...(orphaned
      ? [
          "No container runs for it any more: the process that started it stopped before it could record the end. Remove it when you no longer need its logs.",
        ]
      : []),
    ...(run.diagnosis ?? []).slice(0, 3).map((item) => item.message),
  ].join("\n");
  return {
    label,
    description: parts.join(" · "),
    tooltip,
    contextValue: `parity:run+${run.status}+${run.target}${orphaned ? "+orphaned" : ""}`,
    icon: orphaned ? { id: "warning", color: "problemsWarningIcon.foreground" } : ICONS[run.status],
  };
}

export function isFinished(status: RunStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}

/** "0.8 s", "12.3 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(ms, 0) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
