import path from "node:path";
import type { ClusterRunRef, RunResult, RunStatus, TargetName } from "../../core/job/types";
import { formatDuration, STATUS_WORDS, unreachableWords } from "../../core/presentation/runStatus";
import { formatElapsed, localTimeAndAge, type TimePlace } from "../../core/presentation/time";
import { placeSentence, placeWords } from "../../core/presentation/targets";
import { isFinished } from "../../core/workload/status";

/** A codicon id and its theme colour, so the view needs no icons of its own. */
export interface RunIcon {
  id: string;
  color?: string;
}

export const RUN_ICONS: Record<RunStatus, RunIcon> = {
  pending: { id: "clock" },
  building: { id: "loading~spin" },
  running: { id: "sync~spin", color: "charts.blue" },
  succeeded: { id: "pass", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
  cancelled: { id: "circle-slash" },
  lost: { id: "question", color: "problemsWarningIcon.foreground" },
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
  finishedAt?: string;
  durationMs?: number;
  diagnosis?: RunResult["diagnosis"];
  cluster?: Pick<ClusterRunRef, "context" | "namespace">;
  unreachableSince?: string;
  /** A pipeline run, an experiment or an endpoint, or (with `step` or `trial`) one of their parts' runs. */
  kind?: RunResult["kind"];
  step?: string;
  trial?: string;
}

export interface RunPresentation {
  label: string;
  description: string;
  tooltip: string;
  contextValue: string;
  icon: RunIcon;
}

/** Whether a row's description shows a duration that grows: a running run that is followed. */
export function showsElapsed(run: RunSummary, orphaned = false): boolean {
  return run.status === "running" && run.startedAt !== undefined && !orphaned;
}

/**
 * `orphaned`: recorded as live, but the process that followed it went away before it could record
 * the end (killed, crashed), and nothing here has made the record true yet: its status is the last
 * one recorded, never shown as current. `now` dates a running run's duration and the tooltip's
 * ages; `place` is the language and time zone of the tooltip's times.
 */
export function presentRun(
  run: RunSummary,
  orphaned = false,
  folder?: string,
  now = Date.now(),
  place: TimePlace = {},
): RunPresentation {
  const status = orphaned ? `Last seen ${STATUS_WORDS[run.status].toLowerCase()}` : STATUS_WORDS[run.status];
  const parts = [status];
  if (showsElapsed(run, orphaned)) parts.push(formatElapsed(now - Date.parse(run.startedAt!)));
  // The status is the last one seen: say it may be out of date rather than show it as current.
  const unreachable =
    run.unreachableSince && !isFinished(run.status) ? unreachableWords(run.unreachableSince) : undefined;
  if (unreachable) parts.push(unreachable);
  if (orphaned) parts.push("process gone");
  if (run.durationMs !== undefined && isFinished(run.status)) parts.push(formatDuration(run.durationMs));
  if (run.exitCode !== null && run.status !== "cancelled") parts.push(`exit ${run.exitCode}`);
  if (run.oomKilled) parts.push("out of memory");
  // Where it ran, and the notebook's folder when names alone would not tell rows apart.
  parts.push(placeWords(run));
  if (folder) parts.push(folder);
  // A pipeline, an experiment and their parts are shown as such; Rerun and Cancel Run, which act
  // on job runs, are not offered on them (their context value says which they are).
  const part = partOf(run);
  const name = path.basename(run.notebook);
  const label =
    part === "pipeline" || part === "experiment" || part === "endpoint"
      ? `${name} (${part})`
      : part === "step"
        ? `${name} › ${run.step}`
        : part === "trial"
          ? `${name} › ${run.trial}`
          : name;
  const tooltip = [
    `${label}: ${status.toLowerCase()}`,
    `Run ${run.runId} on ${placeSentence(run)}`,
    ...(run.image ? [`Image ${run.image}`] : []),
    ...(run.startedAt ? [`Started ${localTimeAndAge(now, run.startedAt, place)}`] : []),
    ...(run.finishedAt ? [`Ended ${localTimeAndAge(now, run.finishedAt, place)}`] : []),
    ...(unreachable
      ? [
          `The ${unreachable}: ${STATUS_WORDS[run.status].toLowerCase()} is the last status seen; Parity reads the run again when the API server answers.`,
        ]
      : []),
    ...(orphaned
      ? [
          "The process that followed it stopped before it could record the end. In a trusted workspace Parity reads how it ended from Docker or the cluster; remove it when you no longer need its logs.",
        ]
      : []),
    ...(run.diagnosis ?? []).slice(0, 3).map((item) => item.message),
  ].join("\n");
  return {
    label,
    description: parts.join(" · "),
    tooltip,
    contextValue: `parity:run+${run.status}+${run.target}${part ? `+${part}` : ""}${orphaned ? "+orphaned" : ""}`,
    icon: orphaned ? { id: "warning", color: "problemsWarningIcon.foreground" } : RUN_ICONS[run.status],
  };
}

function partOf(run: RunSummary): "pipeline" | "experiment" | "endpoint" | "step" | "trial" | undefined {
  if (run.kind === "pipeline" || run.kind === "experiment" || run.kind === "endpoint") return run.kind;
  if (run.step !== undefined) return "step";
  if (run.trial !== undefined) return "trial";
  return undefined;
}
