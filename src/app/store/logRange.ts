import { open, type FileHandle } from "node:fs/promises";
import type { LogLine } from "../../core/job/types";
import { parseLogLine } from "./logLine";
import { logFileOf } from "./runStore";

const NEWLINE = 0x0a;
/** Bytes read at a time from the log's start. */
const CHUNK_BYTES = 1024 * 1024;

/** The last lines of a run's log and where they lie in logs.jsonl. */
export interface LogEnd {
  lines: LogLine[];
  /** Byte offset of the first of them: the lines before it are not read. */
  start: number;
  /** Byte offset just after the last complete line: a follower reads on from here. */
  end: number;
}

/** Complete lines' texts of a buffer (each up to, without, its newline), with where each starts. */
function completeLines(buffer: Buffer, from: number): Array<{ text: string; at: number }> {
  const lines: Array<{ text: string; at: number }> = [];
  let start = from;
  for (let newline = buffer.indexOf(NEWLINE, start); newline >= 0; newline = buffer.indexOf(NEWLINE, start)) {
    lines.push({ text: buffer.toString("utf8", start, newline), at: start });
    start = newline + 1;
  }
  return lines;
}

async function openLog(dir: string): Promise<FileHandle | undefined> {
  try {
    return await open(logFileOf(dir), "r");
  } catch {
    return undefined; // Nothing printed yet.
  }
}

/**
 * The end of a run's log, read first so a panel shows its last screen at once: at most `maxLines`
 * complete lines from at most the last `maxBytes` (more when one line is longer than that).
 */
export async function readLogEnd(dir: string, maxLines: number, maxBytes = 256 * 1024): Promise<LogEnd> {
  const handle = await openLog(dir);
  if (!handle) return { lines: [], start: 0, end: 0 };
  try {
    const { size } = await handle.stat();
    for (let bytes = Math.min(maxBytes, size); ; bytes = Math.min(bytes * 2, size)) {
      const from = size - bytes;
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, from);
      const data = buffer.subarray(0, bytesRead);
      // Past the first newline: the text before it may be the tail of a line that began earlier.
      const first = from === 0 ? 0 : data.indexOf(NEWLINE) + 1;
      const found = first > 0 || from === 0 ? completeLines(data, first) : [];
      if (found.length === 0 && from > 0) continue;
      const kept = found.slice(-maxLines);
      const last = found.at(-1);
      const end = last ? from + data.indexOf(NEWLINE, last.at) + 1 : from;
      const lines = kept.flatMap(({ text }) => parseLogLine(text) ?? []);
      return { lines, start: kept[0] ? from + kept[0].at : end, end };
    }
  } finally {
    await handle.close();
  }
}

/**
 * The lines of a run's log between two byte offsets (line starts, as readLogEnd gives them), in
 * order, a chunk at a time; each batch waits for `onLines`. Stops early when `signal` aborts.
 */
export async function readLogRange(
  dir: string,
  start: number,
  end: number,
  onLines: (lines: LogLine[]) => Promise<unknown> | unknown,
  signal?: AbortSignal,
): Promise<void> {
  const handle = await openLog(dir);
  if (!handle) return;
  try {
    let partial = Buffer.alloc(0);
    for (let offset = start; offset < end && !signal?.aborted;) {
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, end - offset));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      const read = buffer.subarray(0, bytesRead);
      const data = partial.length > 0 ? Buffer.concat([partial, read]) : read;
      const upTo = offset >= end ? data.length : data.lastIndexOf(NEWLINE) + 1;
      const texts = completeLines(data.subarray(0, upTo), 0).map(({ text }) => text);
      partial = Buffer.from(data.subarray(upTo, offset >= end ? upTo : data.length));
      const lines = texts.flatMap((text) => parseLogLine(text) ?? []);
      if (lines.length > 0 && !signal?.aborted) await onLines(lines);
    }
  } finally {
    await handle.close();
  }
}
