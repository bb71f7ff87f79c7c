import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cancelRequested } from "../../../src/app/store/cancelRequest";
import {
  awaitRecordedEnd,
  lastWrittenAt,
  requestCancel,
  RunRecorder,
  withdrawCancelRequest,
} from "../../../src/app/store";
import type { RunResult } from "../../../src/core/job/types";

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function recorder(runId = "exp-1"): Promise<RunRecorder> {
  const workspace = await mkdtemp(path.join(tmpdir(), "parity-cancel-"));
  folders.push(workspace);
  return RunRecorder.create(workspace, runId);
}

const record = (status: RunResult["status"]): RunResult => ({
  runId: "exp-1",
  kind: "experiment",
  target: "local",
  status,
  exitCode: null,
  oomKilled: false,
  image: "parity/x:1",
  notebook: "/w/train.ipynb",
  memoryLimitBytes: 1024,
  diagnosis: [],
});

/** Resolves with how long `signal` took to abort, or rejects after `ms`. */
function abortedWithin(signal: AbortSignal, ms: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(0);
    const timer = setTimeout(() => reject(new Error(`not aborted within ${ms} ms`)), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe("a cancel request left in a run's folder", () => {
  it("stops the work of the process that follows the run, as its own signal would", async () => {
    const run = await recorder();
    const own = new AbortController();
    const signal = run.honourCancelRequests(own.signal);
    expect(signal.aborted).toBe(false);
    await requestCancel(run);
    await abortedWithin(signal, 3_000);
    expect(own.signal.aborted).toBe(false);
    await run.release();
  });

  it("stops it at once when the request was there before the work started; its own signal still stops it", async () => {
    const run = await recorder();
    await requestCancel(run);
    expect(await abortedWithin(run.honourCancelRequests(new AbortController().signal), 3_000)).toBeLessThan(
      3_000,
    );
    await withdrawCancelRequest(run);
    expect(await cancelRequested(run.dir)).toBe(false);
    const own = new AbortController();
    const signal = run.honourCancelRequests(own.signal);
    own.abort();
    expect(signal.aborted).toBe(true);
    await run.release();
  });

  it("is no longer watched once the follower released the run", async () => {
    const run = await recorder();
    const signal = run.honourCancelRequests(new AbortController().signal);
    await run.release();
    await requestCancel(run);
    await expect(abortedWithin(signal, 1_500)).rejects.toThrow("not aborted");
  });
});

describe("awaitRecordedEnd", () => {
  it("returns the record once it says the run ended, or as it is when the time is up", async () => {
    const run = await recorder();
    await run.save(record("running"));
    const signal = new AbortController().signal;
    const stillRunning = await awaitRecordedEnd(run, { timeoutMs: 300, signal });
    expect(stillRunning.status).toBe("running");
    const ended = awaitRecordedEnd(run, { timeoutMs: 10_000, signal });
    setTimeout(() => void run.save(record("cancelled")), 300);
    expect((await ended).status).toBe("cancelled");
    await run.release();
  });
});

describe("lastWrittenAt", () => {
  it("is the last write to any of the folders' records or logs", async () => {
    const run = await recorder();
    const before = Date.now();
    await run.save(record("running"));
    await run.log({ stream: "stdout", text: "epoch 1", time: Date.now() });
    await run.release();
    const seen = Date.parse((await lastWrittenAt([run.dir, path.join(run.dir, "nowhere")]))!);
    expect(seen).toBeGreaterThanOrEqual(before - 1_000);
    expect(seen).toBeLessThanOrEqual(Date.now());
    expect(await lastWrittenAt([path.join(run.dir, "nowhere")])).toBeUndefined();
  });
});
