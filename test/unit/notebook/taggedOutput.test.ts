import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { LogLine } from "../../../src/core/job/types";
import { convertNotebook } from "../../../src/core/notebook";
import { MAX_LINE_CHARS, TAGGED_OUTPUT_ENV, TaggedOutput } from "../../../src/core/notebook/taggedOutput";
import { notebookOf } from "./helpers";

const workDir = mkdtempSync(join(tmpdir(), "parity-tagged-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** A notebook's generated script under this machine's python3, its two pipes apart. */
async function run(source: string, env: Record<string, string>) {
  const script = join(mkdtempSync(join(workDir, "run-")), "main.py");
  writeFileSync(script, convertNotebook(notebookOf(source), "main.ipynb").script);
  const result = await promisify(execFile)("python3", [script], {
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout: string; stderr: string }) => error);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** What Parity records from the stdout pipe alone: every line of it read through TaggedOutput. */
function decode(stdout: string): { lines: LogLine[]; output: TaggedOutput } {
  const output = new TaggedOutput();
  const physical = stdout.split("\n");
  if (physical.at(-1) === "") physical.pop();
  const lines = physical.flatMap((text) => output.read({ stream: "stdout", text, time: 0 }) ?? []);
  return { lines: [...lines, ...output.end()], output };
}

const INTERLEAVED = `
import sys
for i in range(20000):
    if i % 3 == 0:
        sys.stderr.write("err %d\\n" % i)
    elif i % 3 == 1:
        print("out", i)
    else:
        print("half", end="")
        sys.stderr.write("between %d\\n" % i)
        print(" done", i)
raise ValueError("the end")
`;

function expectedInterleaved(): [LogLine["stream"], string][] {
  const lines: [LogLine["stream"], string][] = [];
  for (let i = 0; i < 20000; i++) {
    if (i % 3 === 0) lines.push(["stderr", `err ${i}`]);
    else if (i % 3 === 1) lines.push(["stdout", `out ${i}`]);
    else lines.push(["stderr", `between ${i}`], ["stdout", `half done ${i}`]);
  }
  return lines;
}

describe("the runtime's tagged output, under the real python3", () => {
  it("puts every Python write of both streams on stdout's pipe, read back in the exact order written", async () => {
    const { stdout, stderr } = await run(INTERLEAVED, TAGGED_OUTPUT_ENV as Record<string, string>);
    expect(stderr).toBe("");
    const { lines } = decode(stdout);
    const pairs = lines.map((line): [LogLine["stream"], string] => [line.stream, line.text]);
    const body = pairs.slice(0, 20000 + Math.floor(20000 / 3));
    expect(body).toEqual(expectedInterleaved());
    // The traceback is last, on stderr, whole.
    const traceback = pairs.slice(body.length);
    expect(traceback[0]).toEqual(["stderr", "Traceback (most recent call last):"]);
    expect(traceback.at(-1)).toEqual(["stderr", "ValueError: the end"]);
    expect(traceback.every(([stream]) => stream === "stderr")).toBe(true);
  });

  it("keeps a program's output where a Python line before it was left unended, and ends the job's last words", async () => {
    const source =
      'import sys\nprint("prompt: ", end="")\n!echo from a child\nsys.stderr.write("no newline")';
    const { stdout } = await run(source, TAGGED_OUTPUT_ENV as Record<string, string>);
    expect(decode(stdout).lines.map((line) => [line.stream, line.text])).toEqual([
      ["stdout", "prompt: from a child"],
      ["stderr", "no newline"],
    ]);
  });

  it("changes nothing without PARITY_OUTPUT (a cluster pod, docker run by hand)", async () => {
    const { stdout, stderr } = await run('import sys\nprint("out")\nsys.stderr.write("err\\n")', {
      PARITY_OUTPUT: "",
    });
    expect(stdout).toBe("out\n");
    expect(stderr).toBe("err\n");
  });
});

describe("TaggedOutput", () => {
  const read = (output: TaggedOutput, text: string, stream: LogLine["stream"] = "stdout", time = 1) =>
    output.read({ stream, text, time });

  it("takes only a well-formed peak record, and a program's untagged lines as they are", () => {
    const output = new TaggedOutput();
    expect(read(output, "\x1eP12x cgroup-v1")).toBeUndefined();
    expect(read(output, "\x1eP100 the-engine's-stats")).toBeUndefined();
    expect(output.peak).toBeUndefined();
    expect(read(output, "\x1eP4222976 cgroup-v2")).toBeUndefined();
    expect(output.peak).toEqual({ bytes: 4222976, source: "cgroup-v2" });
    expect(read(output, "\x1eXunknown tag", "stdout")).toEqual({
      stream: "stdout",
      text: "\x1eXunknown tag",
      time: 1,
    });
    expect(read(output, "\x1eOon stderr's pipe, not a record", "stderr")).toMatchObject({ stream: "stderr" });
    expect(read(output, "crlf\r", "stderr")).toMatchObject({ text: "crlf" });
  });

  it("passes a line started and never ended on in pieces of MAX_LINE_CHARS", () => {
    const output = new TaggedOutput();
    const piece = "y".repeat(64 * 1024);
    const lines: LogLine[] = [];
    for (let i = 0; i < (MAX_LINE_CHARS / piece.length) * 2; i++)
      lines.push(...[read(output, `\x1ee${piece}`)].flatMap((l) => l ?? []));
    expect(lines.map((line) => [line.stream, line.text.length])).toEqual([
      ["stderr", MAX_LINE_CHARS],
      ["stderr", MAX_LINE_CHARS],
    ]);
  });
});
