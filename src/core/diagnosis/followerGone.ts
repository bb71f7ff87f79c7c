import type { Diagnosis } from "./types";

/** The process that followed a run, as its claim named it. */
export interface GoneFollower {
  pid?: number;
  /** When it last wrote the run's record or logs (ISO 8601): the last sign of it. */
  lastSeenAt?: string;
}

function theProcess(follower: GoneFollower): string {
  return follower.pid === undefined
    ? "The process that ran it"
    : `The process that ran it (pid ${follower.pid})`;
}

/**
 * "The process that ran the experiment (pid 4242) went away before it ended (it was killed, or its
 * window closed); it last wrote its record at 2026-12-04 10:00:31 UTC": said of a workload with
 * parts (a pipeline run, an experiment), whose process alone went on to the next part.
 */
export function wentAwayBeforeTheEnd(follower: GoneFollower, what: string): string {
  const pid = follower.pid === undefined ? "" : ` (pid ${follower.pid})`;
  const seen = follower.lastSeenAt ? `; it last wrote its record at ${asUtc(follower.lastSeenAt)}` : "";
  return `The process that ran the ${what}${pid} went away before it ended (it was killed, or its window closed)${seen}`;
}

/** "2026-12-04 10:00:31 UTC" */
function asUtc(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return `${time.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** How Parity came to record a run's end after its follower went away. */
export type LateEnd =
  /** Its container still ran: Parity stopped it. */
  | "stopped"
  /** Its container had ended by itself: Parity read the end from it. */
  | "read"
  /** Its container was created but never started: the job never ran. */
  | "never-started";

/**
 * Why a run's end was recorded after the fact: its follower (a `parity run`, a window) went away
 * before the run ended, and Parity read the end from the container later, or stopped it.
 */
export function followerGoneDiagnosis(follower: GoneFollower, how: LateEnd): Diagnosis {
  switch (how) {
    case "stopped":
      return {
        code: "FollowerGone",
        severity: "warning",
        message: `${theProcess(follower)} went away before the run ended; Parity found its container still running and stopped it, as Ctrl-C would have.`,
        fix: "Run it again, and let the command (or the window) run until the end; Ctrl-C or Cancel stops a run and records it.",
      };
    case "never-started":
      return {
        code: "FollowerGone",
        severity: "warning",
        message: `${theProcess(follower)} went away after creating the run's container and before starting it: the notebook never ran.`,
        fix: "Run it again.",
      };
    case "read":
      return {
        code: "FollowerGone",
        severity: "info",
        message: `${theProcess(follower)} went away before recording how the run ended; Parity read the end from its container afterwards.`,
        fix: "Nothing to do: the exit code, the out-of-memory state, the logs and the peak memory the notebook reported as it ended come from the container itself.",
      };
  }
}

/** A run whose follower went away and of which nothing remains to say how it ended. */
export function runLostDiagnosis(follower: GoneFollower, runId: string): Diagnosis {
  return {
    code: "RunLost",
    severity: "error",
    message: `${theProcess(follower)} went away before recording how the run ended, and its container is gone, so nothing says how it ended.`,
    fix: `The output recorded until then is kept (parity logs ${runId}); run the notebook again for a result.`,
  };
}
