import type { RunStatus } from "../job/types";

/** The first word of a run's description, and of the panels' status: E2E tests and users read it. */
export const STATUS_WORDS: Record<RunStatus, string> = {
  pending: "Pending",
  building: "Building",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  lost: "Lost",
};

/** "0.8 s", "12.3 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(ms, 0) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** "23:14": the hour and minute of an ISO time, in the user's time zone. */
export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** How a live run whose cluster stopped answering is described, in the Runs view, its progress and the CLI. */
export function unreachableWords(since: string): string {
  return `cluster unreachable since ${clockTime(since)}`;
}
