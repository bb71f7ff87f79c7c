import type { LogLine, PeakMemorySource } from "../job/types";
import type { MeasuredPeak } from "../job/peakMemory";

/**
 * The environment that turns on the runtime's tagged output (runtime.ts, helper "output").
 *
 * Why: the engine reads a container's stdout and stderr pipes in two goroutines and logs each read
 * as it comes, so lines written to both pipes in turn reach its log (and its timestamps) out of
 * order; measured here with 20,000 alternating lines, hundreds were swapped. One pipe keeps order,
 * so with this variable the job's Python writes both of its streams to stdout, each line tagged
 * with the stream it was written to. Programs the job starts still write to the real pipes: their
 * lines are in the engine's order, exact within a pipe only. Parity's local runs set it; a cluster
 * pod does not (its log is read by people with kubectl too), nor does `docker run` by hand.
 */
export const TAGGED_OUTPUT_ENV: Readonly<Record<string, string>> = { PARITY_OUTPUT: "tagged" };

/**
 * A record starts with ASCII RS and a tag: O or E, a line of stdout or stderr; o or e, the start of
 * one (flushed before its end); P, "<bytes> <source>", the container's peak memory as it ended.
 * A program that prints RS at the start of a line itself is read as if it were a record.
 */
const RECORD = "\x1e";
const TAGS: Record<string, { stream: LogLine["stream"]; ended: boolean } | undefined> = {
  O: { stream: "stdout", ended: true },
  o: { stream: "stdout", ended: false },
  E: { stream: "stderr", ended: true },
  e: { stream: "stderr", ended: false },
};
const PEAK_SOURCES: readonly PeakMemorySource[] = ["cgroup-v2", "cgroup-v1"];

/**
 * Beyond this, a line that never ends (a progress bar redrawn with \r for hours) is passed on in
 * pieces: memory stays bounded whatever the job prints.
 */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * The job's lines from its container's lines (in the engine's order, each with the pipe it came
 * from): tagged records are read back into the stream they were written to, a started line is
 * completed by the next piece of its stream, untagged lines pass as they are. A line's time is
 * that of its first piece.
 */
export class TaggedOutput {
  private readonly started: Partial<Record<LogLine["stream"], { text: string; time: number }>> = {};
  private readonly startOrder: LogLine["stream"][] = [];
  /** The peak the job reported as it ended, if it did. */
  peak?: MeasuredPeak;

  /** The job's line that `line` completes, if it completes one. */
  read(line: LogLine): LogLine | undefined {
    let { stream, text } = line;
    let ended = true;
    if (stream === "stdout" && text.startsWith(RECORD)) {
      const tag = text.charAt(1);
      if (tag === "P") {
        this.peak = parsePeak(text.slice(2)) ?? this.peak;
        return undefined;
      }
      const known = TAGS[tag];
      if (known) {
        ({ stream, ended } = known);
        text = text.slice(2);
      }
    }
    let time = line.time;
    const started = this.started[stream];
    if (started) {
      text = started.text + text;
      time = started.time;
      delete this.started[stream];
      this.startOrder.splice(this.startOrder.indexOf(stream), 1);
    }
    if (ended || text.length >= MAX_LINE_CHARS) return finished(stream, text, time, line.source);
    this.started[stream] = { text, time };
    this.startOrder.push(stream);
    return undefined;
  }

  /** Lines started and never ended (the job's last words without a newline), in the order they began. */
  end(): LogLine[] {
    const lines = this.startOrder.map((stream) => {
      const { text, time } = this.started[stream]!;
      return finished(stream, text, time);
    });
    this.startOrder.length = 0;
    for (const stream of ["stdout", "stderr"] as const) delete this.started[stream];
    return lines;
  }
}

/** As a followed run always recorded them: a trailing \r (a CRLF line end) is dropped. */
function finished(stream: LogLine["stream"], text: string, time: number, source?: string): LogLine {
  const line: LogLine = { stream, text: text.endsWith("\r") ? text.slice(0, -1) : text, time };
  if (source !== undefined) line.source = source;
  return line;
}

function parsePeak(text: string): MeasuredPeak | undefined {
  const match = /^(\d+) (\S+)$/.exec(text);
  const source = PEAK_SOURCES.find((known) => known === match?.[2]);
  const bytes = Number(match?.[1]);
  return source && Number.isSafeInteger(bytes) && bytes > 0 ? { bytes, source } : undefined;
}
