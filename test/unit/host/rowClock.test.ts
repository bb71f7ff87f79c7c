import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { claimFollower, followerGone } from "../../../src/app/store/follower";
import { AGES_MS, RowClock, TICK_MS } from "../../../src/views/runs/rowClock";

interface Row {
  name: string;
  dir?: string;
  running: boolean;
}

/** A pid that no process has now: a child's, after it exited (a CLI follower killed). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

describe("RowClock (the Runs view's timers)", () => {
  let dir: string;
  let rows: Row[];
  let redrawn: string[][];
  let refreshes: number;
  let clock: RowClock<Row>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "parity-row-clock-"));
    rows = [
      { name: "cli run", dir, running: true },
      { name: "done", dir: path.join(dir, "other"), running: false },
    ];
    redrawn = [];
    refreshes = 0;
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout"] });
    clock = new RowClock<Row>({
      rows: () => rows,
      ticks: (row) => row.running,
      followedFrom: (row) => row.dir,
      redraw: (shown) => redrawn.push(shown.map((row) => row.name)),
      refresh: () => refreshes++,
      followerGone, // the real check: follower.json read, then signal 0
    });
  });

  afterEach(async () => {
    clock.dispose();
    vi.useRealTimers();
    await rm(dir, { recursive: true, force: true });
  });

  it("redraws the running rows each second and reads the records again when their follower is killed", async () => {
    const release = await claimFollower(dir, "cli-run"); // followed by a live process: this one
    clock.update(true);
    await vi.advanceTimersByTimeAsync(5 * TICK_MS);
    expect(redrawn).toEqual(Array.from({ length: 5 }, () => ["cli run"]));
    await vi.waitFor(() => expect(refreshes).toBe(0));

    // The CLI is killed: its claim and the record stay as they were, so no file watcher fires.
    await release();
    await writeFile(path.join(dir, "follower.json"), JSON.stringify({ pid: deadPid(), host: hostname() }));
    await vi.advanceTimersByTimeAsync(5 * TICK_MS);
    await vi.waitFor(() => expect(refreshes).toBe(1));
  });

  it("redraws every row each minute while visible, so tooltips say their ages anew", async () => {
    rows = rows.map((row) => ({ ...row, running: false }));
    clock.update(true);
    await vi.advanceTimersByTimeAsync(AGES_MS - 1);
    expect(redrawn).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(redrawn).toEqual([["cli run", "done"]]);
  });

  it("runs no timer while the view is hidden", async () => {
    clock.update(true);
    expect(vi.getTimerCount()).toBe(2);
    clock.update(false);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * AGES_MS);
    expect(redrawn).toEqual([]);
    expect(refreshes).toBe(0);
  });
});
