import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogEnd, readLogRange } from "../../../src/app/store/logRange";

const line = (text: string) => `${JSON.stringify({ stream: "stdout", text, time: 1 })}\n`;

describe("readLogEnd and readLogRange", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "parity-range-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function readAll(start: number, end: number, chunks?: number[]): Promise<string[]> {
    const texts: string[] = [];
    await readLogRange(dir, start, end, (lines) => {
      chunks?.push(lines.length);
      texts.push(...lines.map((each) => each.text));
    });
    return texts;
  }

  it("reads the last lines first, and the rest up to them, every line once and in order", async () => {
    const texts = Array.from({ length: 50_000 }, (_, index) => `line ${index} ${"é".repeat(index % 7)}`);
    await writeFile(path.join(dir, "logs.jsonl"), texts.map(line).join("") + '{"stream":"stdout","te');
    const end = await readLogEnd(dir, 1000, 4096);

    expect(end.lines.length).toBeGreaterThan(10);
    expect(end.lines.length).toBeLessThanOrEqual(1000);
    expect(end.lines.at(-1)?.text).toBe(texts.at(-1));
    // The partial last line is left for whoever follows the log from `end`.
    const size = Buffer.byteLength(texts.map(line).join(""));
    expect(end.end).toBe(size);
    const chunks: number[] = [];
    const earlier = await readAll(0, end.start, chunks);
    expect([...earlier, ...end.lines.map((each) => each.text)]).toEqual(texts);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it("keeps at most the asked number of lines, and reads more than asked when one line is longer", async () => {
    await writeFile(path.join(dir, "logs.jsonl"), ["a", "b", "c", "x".repeat(10_000)].map(line).join(""));
    const few = await readLogEnd(dir, 2, 64 * 1024);
    expect(few.lines.map((each) => each.text)).toEqual(["c", "x".repeat(10_000)]);
    expect(await readAll(0, few.start)).toEqual(["a", "b"]);

    // 100 bytes hold no whole line: it reads twice as much, and again, until one is whole.
    const long = await readLogEnd(dir, 1000, 100);
    expect(long.lines.map((each) => each.text)).toEqual(["a", "b", "c", "x".repeat(10_000)]);
    expect(long.start).toBe(0);
  });

  it("is empty for a run that printed nothing yet", async () => {
    expect(await readLogEnd(dir, 1000)).toEqual({ lines: [], start: 0, end: 0 });
    expect(await readAll(0, 0)).toEqual([]);
  });
});
