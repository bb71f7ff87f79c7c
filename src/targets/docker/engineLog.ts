import type Dockerode from "dockerode";
import type { LogLine } from "../../core/job/types";
import type { MeasuredPeak } from "../../core/job/peakMemory";
import { MAX_LINE_CHARS, TaggedOutput } from "../../core/notebook/taggedOutput";

const HEADER_BYTES = 8;
const STREAMS: Record<number, LogLine["stream"] | undefined> = { 1: "stdout", 2: "stderr" };
/** "2024-05-01T12:00:00.123456789Z " is 31 bytes; more without a space is not a timestamp. */
const MAX_TIMESTAMP_BYTES = 40;

interface Started {
  pieces: Buffer[];
  bytes: number;
  time: number;
}

/**
 * The engine's multiplexed log stream (logs or attach without a TTY), read with `timestamps`: frames
 * of an 8-byte header (the stream: 1 stdout, 2 stderr; three zero bytes; the payload's length,
 * big-endian) and a payload, each one log entry "<RFC 3339 time> <text>". An entry's text ends with
 * \n, except the pieces of a line the engine split (16 KiB each) and an unended last line, which
 * continue in the next entry of their stream. Frames are read as they come, a payload in as many
 * chunks as it arrives in: nothing waits for a whole frame, and an unended line is held up to
 * MAX_LINE_CHARS. Lines come out in the engine's order, each with its stream and the time of its
 * first entry; text is left as written (no \r dropped: a tagged record may go on).
 */
export class EngineLogFrames {
  private header = Buffer.alloc(0);
  private stream: LogLine["stream"] | undefined;
  private remaining = 0;
  /** The payload's timestamp while it is read; undefined once read. */
  private timestamp: Buffer | undefined;
  private time = 0;
  private readonly started: Partial<Record<LogLine["stream"], Started>> = {};

  /** The lines `chunk` completes. */
  push(chunk: Buffer): LogLine[] {
    const lines: LogLine[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining === 0) {
        const needed = HEADER_BYTES - this.header.length;
        this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + needed)]);
        offset += needed;
        if (this.header.length < HEADER_BYTES) break;
        this.stream = STREAMS[this.header[0]!];
        this.remaining = this.header.readUInt32BE(4);
        this.header = Buffer.alloc(0);
        this.timestamp = Buffer.alloc(0);
        continue;
      }
      const payload = chunk.subarray(offset, offset + this.remaining);
      offset += payload.length;
      this.remaining -= payload.length;
      this.payload(payload, lines);
    }
    return lines;
  }

  /** The lines still unended when the stream ended, stdout's first. */
  end(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ["stdout", "stderr"] as const) this.emit(stream, lines);
    return lines;
  }

  private payload(bytes: Buffer, lines: LogLine[]): void {
    if (this.timestamp) {
      const space = bytes.indexOf(0x20);
      const end = space < 0 ? bytes.length : space;
      this.timestamp = Buffer.concat([this.timestamp, bytes.subarray(0, end)]);
      if (space < 0 && this.timestamp.length < MAX_TIMESTAMP_BYTES && this.remaining > 0) return;
      const time = Date.parse(this.timestamp.toString("latin1"));
      this.time = Number.isNaN(time) ? Date.now() : time;
      this.timestamp = undefined;
      bytes = bytes.subarray(Math.min(bytes.length, end + 1));
      if (bytes.length === 0) return;
    }
    const stream = this.stream;
    if (!stream) return; // stdin's, or a stream this parser does not know: not the job's output.
    let offset = 0;
    for (;;) {
      const newline = bytes.indexOf(0x0a, offset);
      const end = newline < 0 ? bytes.length : newline;
      // An empty piece starts nothing, but "\n" alone ends a line, an empty one if nothing started it.
      if (end > offset || newline >= 0) this.append(stream, bytes.subarray(offset, end), lines);
      if (newline < 0) return;
      this.emit(stream, lines);
      offset = newline + 1;
    }
  }

  private append(stream: LogLine["stream"], bytes: Buffer, lines: LogLine[]): void {
    const started = (this.started[stream] ??= { pieces: [], bytes: 0, time: this.time });
    if (bytes.length === 0) return;
    started.pieces.push(Buffer.from(bytes)); // A copy: the chunk it came in is not kept alive.
    started.bytes += bytes.length;
    if (started.bytes >= MAX_LINE_CHARS) this.emit(stream, lines);
  }

  private emit(stream: LogLine["stream"], lines: LogLine[]): void {
    const started = this.started[stream];
    if (!started) return;
    delete this.started[stream];
    lines.push({ stream, text: Buffer.concat(started.pieces).toString("utf8"), time: started.time });
  }
}

/**
 * A run container's output as the job wrote it, from the engine's log stream (`logs` with
 * `timestamps`): its frames read (EngineLogFrames), its tagged records read back (TaggedOutput), each
 * line passed to `onLine` in order. The stream is read no faster than `onLine` settles, so a slow
 * log file slows the reading instead of filling memory. The peak the job reported, if it did.
 */
export async function readRunOutput(
  raw: AsyncIterable<Buffer | string>,
  onLine: (line: LogLine) => void | Promise<void>,
): Promise<{ peak?: MeasuredPeak }> {
  const frames = new EngineLogFrames();
  const output = new TaggedOutput();
  const pass = async (lines: LogLine[]): Promise<void> => {
    for (const line of lines) {
      const read = output.read(line);
      if (read) await onLine(read);
    }
  };
  for await (const chunk of raw) await pass(frames.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
  await pass(frames.end());
  for (const line of output.end()) await onLine(line);
  return output.peak ? { peak: output.peak } : {};
}

/**
 * A container's output from its start, followed until it ends: the engine's log stream with its
 * timestamps, read as one ordered stream (the live run and the settling of a left-over container).
 */
export async function followContainerOutput(
  container: Dockerode.Container,
  onLine: (line: LogLine) => void,
): ReturnType<typeof readRunOutput> {
  const raw = (await container.logs({
    follow: true,
    stdout: true,
    stderr: true,
    timestamps: true,
  })) as unknown as AsyncIterable<Buffer>;
  return readRunOutput(raw, onLine);
}
