import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogLine, RunResult } from "../../../src/core/job/types";
import { parseLogLine } from "../../../src/app/store/logLine";
import { LogTail } from "../../../src/app/store/logTail";

const line = (text: string, stream: LogLine["stream"] = "stdout") =>
  `${JSON.stringify({ stream, text, time: 1 })}\n`;

function run(status: RunResult["status"]): RunResult {
  return {
    runId: "train-1",
    target: "local",
    status,
    exitCode: status === "running" ? null : 0,
    oomKilled: false,
    image: "parity/train:1",
    notebook: "/w/train.ipynb",
    memoryLimitBytes: 1024,
    diagnosis: [],
  };
}

describe("LogTail", () => {
  let dir: string;
  let received: string[];
  let statuses: string[];
  let resets: number;
  let tail: LogTail;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "parity-tail-"));
    received = [];
    statuses = [];
    resets = 0;
    tail = new LogTail(
      dir,
      {
        onLines: (lines) => void received.push(...lines.map((each) => `${each.stream}:${each.text}`)),
        onRun: (result) => void statuses.push(result.status),
        onReset: () => void resets++,
      },
      { pollMs: 60_000, settleMs: 10 },
    );
  });
  afterEach(async () => {
    tail.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads every complete line once, keeping a partial last line for the next read", async () => {
    await writeFile(path.join(dir, "run.json"), JSON.stringify(run("running")));
    const partial = line("second é");
    await writeFile(path.join(dir, "logs.jsonl"), line("first") + partial.slice(0, 12));
    await tail.update();
    expect(received).toEqual(["stdout:first"]);

    await appendFile(path.join(dir, "logs.jsonl"), partial.slice(12) + line("boom", "stderr"));
    await tail.update();
    await tail.update();
    expect(received).toEqual(["stdout:first", "stdout:second é", "stderr:boom"]);
    expect(statuses).toEqual(["running"]);
  });

  it("keeps a multi-byte character split across reads intact", async () => {
    const bytes = Buffer.from(line("naïve ✓"));
    const cut = bytes.indexOf(Buffer.from("✓")) + 1;
    await writeFile(path.join(dir, "logs.jsonl"), bytes.subarray(0, cut));
    await tail.update();
    await appendFile(path.join(dir, "logs.jsonl"), bytes.subarray(cut));
    await tail.update();
    expect(received).toEqual(["stdout:naïve ✓"]);
  });

  it("starts over when the log is replaced by a shorter one", async () => {
    await writeFile(path.join(dir, "logs.jsonl"), line("one") + line("two"));
    await tail.update();
    await writeFile(path.join(dir, "logs.jsonl"), line("new"));
    await tail.update();
    expect(resets).toBe(1);
    expect(received).toEqual(["stdout:one", "stdout:two", "stdout:new"]);
  });

  it("follows the run with fs.watch until run.json says it ended, then picks up late lines", async () => {
    await writeFile(path.join(dir, "run.json"), JSON.stringify(run("running")));
    await tail.start();
    await appendFile(path.join(dir, "logs.jsonl"), line("live"));
    await waitFor(() => received.includes("stdout:live"));

    await writeFile(path.join(dir, "run.json"), JSON.stringify(run("succeeded")));
    await waitFor(() => statuses.includes("succeeded"));
    await appendFile(path.join(dir, "logs.jsonl"), line("flushed late"));
    await waitFor(() => received.includes("stdout:flushed late"));
    await appendFile(path.join(dir, "logs.jsonl"), line("after the end"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual(["stdout:live", "stdout:flushed late"]);
  });
});

describe("LogTail before the run folder exists", () => {
  it("finds the folder on a later poll and then follows it", async () => {
    const parent = await mkdtemp(path.join(tmpdir(), "parity-tail-"));
    const dir = path.join(parent, "run-1");
    const received: string[] = [];
    const tail = new LogTail(
      dir,
      {
        onLines: (lines) => void received.push(...lines.map((each) => each.text)),
        onRun: () => {},
        onReset: () => {},
      },
      { pollMs: 20, settleMs: 10 },
    );
    try {
      await tail.start();
      await mkdir(dir);
      await writeFile(path.join(dir, "logs.jsonl"), line("hello"));
      await waitFor(() => received.includes("hello"));
    } finally {
      tail.stop();
      await rm(parent, { recursive: true, force: true });
    }
  });
});

describe("LogTail of a run that goes quiet", () => {
  it("polls every idlePollMs once nothing changed for idleAfterMs, and fast again after a change", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "parity-tail-"));
    await writeFile(path.join(dir, "run.json"), JSON.stringify(run("running")));
    const received: string[] = [];
    const tail = new LogTail(
      dir,
      {
        onLines: (lines) => void received.push(...lines.map((each) => each.text)),
        onRun: () => {},
        onReset: () => {},
      },
      { pollMs: 20, idleAfterMs: 80, idlePollMs: 10_000, settleMs: 10 },
    );
    try {
      await tail.start();
      expect(tail.pollInterval).toBe(20);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(tail.pollInterval).toBe(10_000);
      await appendFile(path.join(dir, "logs.jsonl"), line("awake"));
      await tail.update();
      expect(received).toEqual(["awake"]);
      expect(tail.pollInterval).toBe(20);
    } finally {
      tail.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a failed background read to onError instead of an unhandled rejection", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "parity-tail-"));
    await writeFile(path.join(dir, "run.json"), JSON.stringify(run("running")));
    const errors: unknown[] = [];
    let calls = 0;
    const tail = new LogTail(
      dir,
      {
        onLines: () => {},
        onRun: () => {
          calls++;
          if (calls > 1) throw new Error("listener broke");
        },
        onReset: () => {},
        onError: (error) => void errors.push(error),
      },
      { pollMs: 20, settleMs: 10 },
    );
    try {
      await tail.start();
      await writeFile(path.join(dir, "run.json"), JSON.stringify({ ...run("running"), exitCode: 3 }));
      await waitFor(() => errors.length > 0);
      expect(String(errors[0])).toContain("listener broke");
    } finally {
      tail.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("parseLogLine", () => {
  it("skips blank, damaged and foreign lines and keeps the source", () => {
    expect(parseLogLine("")).toBeUndefined();
    expect(parseLogLine('{"stream":"stdout","te')).toBeUndefined();
    expect(parseLogLine('{"stream":"stdin","text":"x"}')).toBeUndefined();
    expect(parseLogLine('{"stream":"stderr","text":"x","time":5,"source":"worker-1"}')).toEqual({
      stream: "stderr",
      text: "x",
      time: 5,
      source: "worker-1",
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
