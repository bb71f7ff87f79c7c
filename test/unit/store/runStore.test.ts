import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import { findRun, listRuns, readRunLogs, RunRecorder } from "../../../src/app/store";

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

describe("findRun", () => {
  it("finds a run by its whole id even where other ids begin with it, and by a prefix only when one run has it", async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), "parity-runstore-"));
    folders.push(workspace);
    // A cluster pipeline's steps are named after their pods, whose names begin with the pipeline's id.
    for (const id of ["files-1", "files-1-prepare-42", "files-1-square-7"]) {
      const recorder = await RunRecorder.create(workspace, id);
      await recorder.save(result(id, "succeeded", "2026-01-01T00:00:00Z"));
      await recorder.close();
      await recorder.release();
    }
    expect((await findRun(workspace, "files-1")).result.runId).toBe("files-1");
    expect((await findRun(workspace, "files-1-sq")).result.runId).toBe("files-1-square-7");
    await expect(findRun(workspace, "files-1-")).rejects.toThrow('"files-1-" matches 2 runs.');
  });
});

describe("RunRecorder", () => {
  it("writes saves in the order they were asked for, even when asked at once", async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), "parity-runstore-"));
    folders.push(workspace);
    const recorder = await RunRecorder.create(workspace, "c");
    const saves = ["pending", "running", "failed"].map((status, index) =>
      recorder.save(result("c", status as RunResult["status"], `2026-01-0${index + 1}T00:00:00Z`)),
    );
    await Promise.all(saves);
    expect((await listRuns(workspace)).map((run) => run.result.status)).toEqual(["failed"]);
    await recorder.release();
  });

  it("picks a run up again after a crash: claimed, its record read anew, a line cut in half ended first", async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), "parity-runstore-"));
    folders.push(workspace);
    const first = await RunRecorder.create(workspace, "d");
    await first.save(result("d", "running", "2026-01-01T00:00:00Z"));
    first.log({ stream: "stdout", text: "one", time: 1 });
    await first.release();
    // A process killed mid-write leaves half a line behind.
    await appendFile(path.join(first.dir, "logs.jsonl"), '{"stream":"stdout","te');

    const [stored] = await listRuns(workspace);
    const { recorder, current } = await RunRecorder.reopen(stored!);
    expect(current.result.status).toBe("running");
    await expect(RunRecorder.reopen(stored!)).rejects.toMatchObject({ code: "RunFollowedElsewhere" });
    recorder.log({ stream: "stdout", text: "two", time: 2 });
    await recorder.release();
    expect((await readRunLogs(stored!)).map((line) => line.text)).toEqual(["one", "two"]);
  });
});
