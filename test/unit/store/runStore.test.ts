import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import { listRuns, RunRecorder } from "../../../src/targets/store/runStore";

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function result(runId: string, status: RunResult["status"], startedAt: string): RunResult {
  return {
    runId,
    target: "local",
    status,
    exitCode: status === "succeeded" ? 0 : null,
    oomKilled: false,
    image: "parity/x:1",
    notebook: "/w/train.ipynb",
    startedAt,
    memoryLimitBytes: 1024,
    diagnosis: [],
  };
}

describe("listRuns", () => {
  it("lists runs newest first and sees every rewrite of a record, including one of the same size", async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), "parity-runstore-"));
    folders.push(workspace);
    const older = await RunRecorder.create(workspace, "a");
    await older.save(result("a", "succeeded", "2026-01-01T00:00:00Z"));
    await older.close();
    const newer = await RunRecorder.create(workspace, "b");
    await newer.save(result("b", "running", "2026-01-02T00:00:00Z"));

    const first = await listRuns(workspace);
    expect(first.map((run) => [run.result.runId, run.result.status])).toEqual([
      ["b", "running"],
      ["a", "succeeded"],
    ]);

    // "running" and "pending" have the same length: the record's size does not change.
    await newer.save(result("b", "pending", "2026-01-02T00:00:00Z"));
    await newer.close();
    const second = await listRuns(workspace);
    expect(second.map((run) => run.result.status)).toEqual(["pending", "succeeded"]);
    // An unchanged record is not parsed again: the same object comes back.
    expect(second[1]!.result).toBe(first[1]!.result);
  });
});
