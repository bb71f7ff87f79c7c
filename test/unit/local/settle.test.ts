import { describe, expect, it } from "vitest";
import { endFromContainer, lostRun, missingLines } from "../../../src/app/targets/local/settle";
import type { LogLine, RunResult } from "../../../src/core/job/types";
import type { SettledContainer } from "../../../src/targets/docker/leftovers";

const line = (stream: LogLine["stream"], text: string, time = 0): LogLine => ({ stream, text, time });

const record: RunResult = {
  runId: "train-1",
  kind: "job",
  target: "local",
  status: "running",
  exitCode: null,
  oomKilled: false,
  image: "parity/train:1",
  notebook: "/w/train.ipynb",
  startedAt: "2026-12-04T10:00:00.000Z",
  memoryLimitBytes: 128 * 1024 * 1024,
  diagnosis: [],
};

const settled = (over: Partial<SettledContainer> = {}): SettledContainer => ({
  containerId: "c1",
  stoppedByParity: false,
  neverStarted: false,
  exitCode: 0,
  oomKilled: false,
  startedAt: "2026-12-04T10:00:01.000Z",
  finishedAt: "2026-12-04T10:00:31.000Z",
  lines: [],
  ...over,
});

describe("the lines a record misses", () => {
  it("are, per stream, those past what the record holds (its last line cut by the crash dropped)", () => {
    const all = [
      line("stdout", "1"),
      line("stderr", "e1"),
      line("stdout", "2"),
      line("stdout", "3"),
      line("stderr", "e2"),
    ];
    expect(missingLines([line("stdout", "1"), line("stderr", "e1")], all)).toEqual([
      line("stdout", "2"),
      line("stdout", "3"),
      line("stderr", "e2"),
    ]);
    expect(missingLines(all, all)).toEqual([]);
    expect(missingLines([], all)).toEqual(all);
  });
});

describe("the end of a run read from its container", () => {
  it("is the container's: exit code, OOM state and the diagnosis, with why it was recorded late and the limit as an OOM-killed run's peak", () => {
    const oom = endFromContainer(record, settled({ exitCode: 137, oomKilled: true }), [], { pid: 4242 });
    expect(oom).toMatchObject({
      status: "failed",
      exitCode: 137,
      oomKilled: true,
      finishedAt: "2026-12-04T10:00:31.000Z",
      durationMs: 30_000,
    });
    expect(oom).toMatchObject({ peakMemoryBytes: record.memoryLimitBytes, peakMemorySource: "oom-limit" });
    expect(oom.diagnosis.map((item) => item.code)).toEqual(["OOMKilled", "FollowerGone"]);
    expect(oom.diagnosis[1]!.message).toBe(
      "The process that ran it (pid 4242) went away before recording how the run ended; Parity read the end from its container afterwards.",
    );
    expect(endFromContainer(record, settled(), [], {}).status).toBe("succeeded");
  });

  it("has the peak the notebook reported as it ended, and none (not measured) when it reported none", () => {
    const reported = settled({ peak: { bytes: 212 * 1024 * 1024, source: "cgroup-v1" } });
    expect(endFromContainer(record, reported, [], {})).toMatchObject({
      peakMemoryBytes: 212 * 1024 * 1024,
      peakMemorySource: "cgroup-v1",
    });
    const silent = endFromContainer(record, settled(), [], {});
    expect(silent.peakMemoryBytes).toBeUndefined();
    expect(silent.peakMemorySource).toBeUndefined();
  });

  it("is cancelled when Parity had to stop it, said as a warning", () => {
    const stopped = endFromContainer(record, settled({ stoppedByParity: true, exitCode: 137 }), [], {
      pid: 7,
    });
    expect(stopped).toMatchObject({ status: "cancelled", exitCode: null });
    expect(stopped.diagnosis).toEqual([
      expect.objectContaining({
        code: "FollowerGone",
        severity: "warning",
        message:
          "The process that ran it (pid 7) went away before the run ended; Parity found its container still running and stopped it, as Ctrl-C would have.",
      }),
    ]);
  });

  it("is cancelled, as asked, when the record says a cancel was asked for before the process quit", () => {
    const asked = { ...record, cancelRequestedAt: "2026-12-04T10:00:20.000Z" };
    const ended = endFromContainer(asked, settled({ exitCode: 137 }), [], {});
    expect(ended.status).toBe("cancelled");
    expect(ended.diagnosis.map((item) => item.code)).toEqual(["Cancelled", "FollowerGone"]);
  });

  it("is cancelled, without times or exit code, when its container was never started", () => {
    const never = endFromContainer(
      record,
      settled({ neverStarted: true, exitCode: 0, startedAt: undefined, finishedAt: undefined }),
      [],
      { pid: 5 },
    );
    expect(never).toMatchObject({ status: "cancelled", exitCode: null });
    expect(never.finishedAt).toBeUndefined();
    expect(never.durationMs).toBeUndefined();
    expect(never.diagnosis).toEqual([
      expect.objectContaining({
        code: "FollowerGone",
        message:
          "The process that ran it (pid 5) went away after creating the run's container and before starting it: the notebook never ran.",
      }),
    ]);
  });

  it("is lost, explained, when nothing remains", () => {
    const lost = lostRun(record, { pid: 99 });
    expect(lost).toMatchObject({ status: "lost", exitCode: null });
    expect(lost.diagnosis[0]).toEqual({
      code: "RunLost",
      severity: "error",
      message:
        "The process that ran it (pid 99) went away before recording how the run ended, and its container is gone, so nothing says how it ended.",
      fix: "The output recorded until then is kept (parity logs train-1); run the notebook again for a result.",
    });
  });
});
