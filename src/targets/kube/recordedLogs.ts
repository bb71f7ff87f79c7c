import type { LogLine } from "../../core/job/types";

/**
 * Where a recorded run's log stands per source (replica or pod), so a process attaching to the
 * run later passes on only lines that are not in logs.jsonl yet. Recorded times have millisecond
 * precision: the position is the last line's millisecond and how many recorded lines carry it.
 */
export interface RecordedPosition {
  timeMs: number;
  seen: number;
}

export function recordedPositions(lines: LogLine[]): Map<string, RecordedPosition> {
  const positions = new Map<string, RecordedPosition>();
  for (const line of lines) {
    const source = line.source ?? "";
    const position = positions.get(source);
    if (position && position.timeMs === line.time) position.seen += 1;
    else positions.set(source, { timeMs: line.time, seen: 1 });
  }
  return positions;
}

/**
 * A filter over one source's lines, read again from the start of its log in order: false for
 * those already recorded (earlier milliseconds, and the first `seen` of the last one), true from
 * the first new line on.
 */
export function newLinesAfter(position: RecordedPosition | undefined): (timeMs: number) => boolean {
  if (!position) return () => true;
  let skipped = 0;
  let past = false;
  return (timeMs) => {
    if (past) return true;
    if (timeMs < position.timeMs) return false;
    if (timeMs === position.timeMs && skipped < position.seen) {
      skipped += 1;
      return false;
    }
    past = true;
    return true;
  };
}
