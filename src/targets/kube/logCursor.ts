/**
 * Where a followed log stands, so a new stream can pick up exactly where a dropped one stopped.
 * `pods/log` takes `sinceTime` only to the second and returns every line at or after it, so a
 * resumed stream repeats lines; the cursor remembers the last timestamp and how many lines carried
 * that exact timestamp, and skips what it has already passed on.
 */
export interface LogPosition {
  /** The last line's timestamp, RFC 3339 with nanoseconds, UTC. */
  time: string;
  /** Lines already passed on that carry exactly `time`. */
  seen: number;
}

export class LogCursor {
  private position?: LogPosition;
  /** Where the current stream was asked to start, and how many lines at that time are still repeats. */
  private resumedAt?: string;
  private repeatsLeft = 0;

  constructor(since?: LogPosition) {
    this.position = since ? { time: normalizeTime(since.time), seen: since.seen } : undefined;
  }

  get current(): LogPosition | undefined {
    return this.position && { ...this.position };
  }

  /** Call before each new stream; returns the `sinceTime` to ask for (rounded down to the second). */
  startStream(): string | undefined {
    this.resumedAt = this.position?.time;
    this.repeatsLeft = this.position?.seen ?? 0;
    return this.position ? `${this.position.time.slice(0, 19)}Z` : undefined;
  }

  /** Whether a line with this timestamp is new; a new line moves the cursor. */
  accept(timestamp: string): boolean {
    const time = normalizeTime(timestamp);
    if (this.resumedAt !== undefined) {
      if (time < this.resumedAt) return false;
      if (time === this.resumedAt && this.repeatsLeft > 0) {
        this.repeatsLeft -= 1;
        return false;
      }
      // Past the repeats: later lines of the same stream are all new.
      this.resumedAt = undefined;
    }
    if (this.position && time === this.position.time) this.position.seen += 1;
    else this.position = { time, seen: 1 };
    return true;
  }
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** The fixed-width form the kubelet writes ("…T10:00:00.120000000Z"), so times compare as text. */
export function normalizeTime(timestamp: string): string {
  const parts = RFC3339.exec(timestamp);
  if (!parts) return timestamp;
  const [, seconds, fraction = "", zone] = parts;
  if (zone === "Z") return `${seconds}.${fraction.padEnd(9, "0")}Z`;
  // An offset other than Z: convert through Date (milliseconds), keeping the finer digits.
  const utc = new Date(`${seconds}${zone}`).toISOString().slice(0, 19);
  return `${utc}.${fraction.padEnd(9, "0")}Z`;
}

/** Splits "2026-03-02T10:00:00.123456789Z epoch 1" into its timestamp and text. */
export function splitTimestamp(line: string): { time: string; text: string } | undefined {
  const space = line.indexOf(" ");
  const time = space < 0 ? line : line.slice(0, space);
  if (!RFC3339.test(time)) return undefined;
  return { time: normalizeTime(time), text: space < 0 ? "" : line.slice(space + 1) };
}
