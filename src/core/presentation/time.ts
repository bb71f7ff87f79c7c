const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const count = (value: number, unit: string) => `${value} ${unit}${value === 1 ? "" : "s"}`;

/**
 * How long ago `then` was, as a person says it: "just now", "40 s ago", "2 min ago", "3 h ago",
 * "yesterday", "5 days ago", "3 weeks ago", "4 months ago", "2 years ago". A time ahead of `now`
 * (another machine's clock) is "just now".
 */
export function relativeAge(now: number, then: number | string): string {
  const ago = now - (typeof then === "string" ? Date.parse(then) : then);
  if (!Number.isFinite(ago) || ago < 10 * SECOND) return "just now";
  if (ago < MINUTE) return `${Math.floor(ago / SECOND)} s ago`;
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  const days = Math.floor(ago / DAY);
  if (days === 1) return "yesterday";
  if (days < 14) return `${days} days ago`;
  if (days < 60) return `${count(Math.floor(days / 7), "week")} ago`;
  if (days < 365) return `${count(Math.floor(days / 30), "month")} ago`;
  return `${count(Math.floor(days / 365), "year")} ago`;
}

/** Where a time is shown: VS Code's display language, and a time zone (tests fix one; else the machine's). */
export interface TimePlace {
  locale?: string;
  timeZone?: string;
}

/**
 * A recorded time (ISO 8601, UTC) in the user's language and time zone, to the second, naming the
 * zone ("5 Dec 2026, 14:03:12 CET"): a remote window's host may not be in the user's zone.
 */
export function localTime(iso: string, place: TimePlace = {}): string {
  // timeStyle "long" is the time with the zone's short name (timeZoneName cannot go with dateStyle).
  return new Date(iso).toLocaleString(place.locale, {
    dateStyle: "medium",
    timeStyle: "long",
    ...(place.timeZone ? { timeZone: place.timeZone } : {}),
  });
}

/** "5 Dec 2026, 14:03:12 CET (2 min ago)": a recorded time for a tooltip. */
export function localTimeAndAge(now: number, iso: string, place: TimePlace = {}): string {
  return `${localTime(iso, place)} (${relativeAge(now, iso)})`;
}

/** A live run's time so far, to the second, for a row redrawn every second: "8 s", "2 min 05 s", "1 h 02 min". */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(Math.max(ms, 0) / SECOND);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
