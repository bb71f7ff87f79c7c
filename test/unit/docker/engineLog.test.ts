import { describe, expect, it } from "vitest";
import type { LogLine } from "../../../src/core/job/types";
import { MAX_LINE_CHARS } from "../../../src/core/notebook/taggedOutput";
import { EngineLogFrames, readRunOutput } from "../../../src/targets/docker/engineLog";

/** One frame of the engine's multiplexed log: 0 stdin, 1 stdout, 2 stderr; 4 bytes size, big-endian. */
function frame(stream: 0 | 1 | 2, text: string | Buffer): Buffer {
  const payload = Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8");
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const T = (seconds: number) => `2026-12-04T10:00:${String(seconds).padStart(2, "0")}.000000000Z`;
const at = (seconds: number) => Date.parse(`2026-12-04T10:00:${String(seconds).padStart(2, "0")}.000Z`);
const line = (stream: LogLine["stream"], text: string, time: number): LogLine => ({ stream, text, time });

function readAll(parser: EngineLogFrames, chunks: Buffer[]): LogLine[] {
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

describe("the engine's multiplexed log, read frame by frame", () => {
  const raw = Buffer.concat([
    frame(1, `${T(1)} started\n`),
    // The engine's times across its two pipes can go back: its order is the order it logged them.
    frame(2, `${T(3)} Traceback (most recent call last):\n`),
    frame(1, `${T(2)} a long li`),
    frame(0, `${T(2)} stdin is not the job's output\n`),
    frame(1, `${T(2)} ne, split\r\n`),
    frame(2, `${T(4)} \n`),
    frame(1, `${T(5)} two\nlines in one entry\n`),
    frame(2, `${T(6)} no newline at the end`),
  ]);
  const expected = [
    line("stdout", "started", at(1)),
    line("stderr", "Traceback (most recent call last):", at(3)),
    line("stdout", "a long line, split\r", at(2)),
    line("stderr", "", at(4)),
    line("stdout", "two", at(5)),
    line("stdout", "lines in one entry", at(5)),
    line("stderr", "no newline at the end", at(6)),
  ];

  it("keeps the engine's order, each line's stream and the time of its first entry, and joins split entries", () => {
    expect(readAll(new EngineLogFrames(), [raw])).toEqual(expected);
  });

  it("reads the same whatever the chunks the socket cuts it in, one byte at a time included", () => {
    const bytes = [...raw].map((byte) => Buffer.from([byte]));
    expect(readAll(new EngineLogFrames(), bytes)).toEqual(expected);
    for (const size of [2, 7, 8, 9, 31, 64]) {
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < raw.length; offset += size)
        chunks.push(raw.subarray(offset, offset + size));
      expect(readAll(new EngineLogFrames(), chunks)).toEqual(expected);
    }
  });

  it("keeps a character the engine split between two entries whole", () => {
    const text = Buffer.from("naïve ü\n", "utf8");
    const cut = text.indexOf(0xc3) + 1; // Inside "ï".
    const lines = readAll(new EngineLogFrames(), [
      frame(1, Buffer.concat([Buffer.from(`${T(1)} `), text.subarray(0, cut)])),
      frame(1, Buffer.concat([Buffer.from(`${T(1)} `), text.subarray(cut)])),
    ]);
    expect(lines).toEqual([line("stdout", "naïve ü", at(1))]);
  });

  it("passes a line that never ends on in pieces, so memory stays bounded", () => {
    const piece = "x".repeat(16 * 1024);
    const parser = new EngineLogFrames();
    const out: LogLine[] = [];
    for (let i = 0; i < (2 * MAX_LINE_CHARS) / piece.length; i++)
      out.push(...parser.push(frame(1, `${T(1)} ${piece}`)));
    expect(out).toHaveLength(2);
    expect(out.every((each) => each.text.length === MAX_LINE_CHARS)).toBe(true);
    expect(parser.end()).toEqual([]);
  });
});

describe("a run container's output", () => {
  it("has the job's tagged records read back, in order, with the peak it reported", async () => {
    async function* engine() {
      yield frame(1, `${T(1)} \x1eOa b\n`);
      yield frame(1, `${T(1)} \x1eEerr1\n`);
      yield frame(1, `${T(2)} \x1eopart`);
      yield frame(1, `${T(2)} \n`);
      yield frame(2, `${T(3)} from a child on stderr\n`);
      yield frame(1, `${T(3)} \x1eOrest\n`);
      yield frame(1, `${T(4)} \x1eP212860928 cgroup-v1\n`);
      yield frame(1, `${T(4)} \x1eEunended`);
    }
    const lines: LogLine[] = [];
    const end = await readRunOutput(engine(), (each) => void lines.push(each));
    expect(lines).toEqual([
      line("stdout", "a b", at(1)),
      line("stderr", "err1", at(1)),
      line("stderr", "from a child on stderr", at(3)),
      line("stdout", "partrest", at(2)),
      line("stderr", "unended", at(4)),
    ]);
    expect(end).toEqual({ peak: { bytes: 212860928, source: "cgroup-v1" } });
  });

  it("is read no faster than its lines are taken: the next chunk waits for a slow consumer", async () => {
    const pulled: number[] = [];
    async function* engine() {
      for (let i = 0; i < 3; i++) {
        pulled.push(i);
        yield frame(1, `${T(1)} line ${i}\n`);
      }
    }
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const reading = readRunOutput(engine(), (each) => {
      seen.push(each.text);
      return new Promise<void>((resolve) => (release = resolve));
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual(["line 0"]);
    expect(pulled).toEqual([0]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pulled).toEqual([0, 1]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await reading;
    expect(seen).toEqual(["line 0", "line 1", "line 2"]);
  });
});
