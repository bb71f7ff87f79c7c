import { describe, expect, it } from "vitest";
import { newestRuns, type StoredRun } from "../../../src/app/store";

const run = (dir: string, startedAt: string): StoredRun => ({
  dir,
  result: { startedAt } as StoredRun["result"],
});

describe("the listed runs", () => {
  it("are the newest, once each, at most the limit", () => {
    const runs = [
      run("/w/.parity/runs/a", "2026-11-29T08:00:00Z"),
      run("/w/.parity/runs/c", "2026-11-29T10:00:00Z"),
      run("/w/.parity/runs/b", "2026-11-29T09:00:00Z"),
      run("/w/.parity/runs/c", "2026-11-29T10:00:00Z"),
    ];
    expect(newestRuns(runs, 2).map((entry) => entry.dir)).toEqual(["/w/.parity/runs/c", "/w/.parity/runs/b"]);
    expect(newestRuns(runs, 10)).toHaveLength(3);
  });
});
