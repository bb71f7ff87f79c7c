import { describe, expect, it } from "vitest";
import { ReadyWatchdog, type WatchdogTimers } from "../../../src/panels/readyWatchdog";

/** Timers that run when the test says so. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, { callback: () => void; ms: number }>();
  const timers: WatchdogTimers & { fire(): number | undefined; readonly count: number } = {
    setTimeout: (callback, ms) => {
      pending.set(next, { callback, ms });
      return next++;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
    /** Runs the oldest pending timer, returning its delay. */
    fire: () => {
      const [id, timer] = [...pending][0] ?? [];
      if (id === undefined || !timer) return undefined;
      pending.delete(id);
      timer.callback();
      return timer.ms;
    },
    get count() {
      return pending.size;
    },
  };
  return timers;
}

function setup() {
  const timers = manualTimers();
  const reloads: Array<[number, number]> = [];
  const watchdog: ReadyWatchdog = new ReadyWatchdog(
    (attempt, waited) => {
      reloads.push([attempt, waited]);
      watchdog.loaded(true); // the panel sets its page again
    },
    [4000, 8000],
    timers,
  );
  return { timers, reloads, watchdog };
}

describe("ReadyWatchdog", () => {
  it("loads a page in view again when it does not say ready, waiting longer each time, then gives up", () => {
    const { timers, reloads, watchdog } = setup();
    watchdog.loaded(true);
    expect(timers.fire()).toBe(4000);
    expect(timers.fire()).toBe(8000);
    expect(timers.count).toBe(0);
    expect(reloads).toEqual([
      [1, 4000],
      [2, 8000],
    ]);
  });

  it("does nothing once the page is ready, and starts over after it was ready", () => {
    const { timers, reloads, watchdog } = setup();
    watchdog.loaded(true);
    expect(timers.fire()).toBe(4000);
    watchdog.ready();
    expect(timers.count).toBe(0);
    // Hidden and shown again: VS Code loads the page again, which gets the first delay again.
    watchdog.hidden();
    watchdog.shown();
    expect(timers.fire()).toBe(4000);
    expect(reloads).toHaveLength(2);
  });

  it("does not wait for a page out of view, and one wait at a time", () => {
    const { timers, watchdog } = setup();
    watchdog.loaded(false);
    expect(timers.count).toBe(0);
    watchdog.shown();
    watchdog.shown();
    expect(timers.count).toBe(1);
    watchdog.hidden();
    expect(timers.count).toBe(0);
  });

  it("stops when the panel is closed", () => {
    const { timers, reloads, watchdog } = setup();
    watchdog.loaded(true);
    watchdog.dispose();
    expect(timers.count).toBe(0);
    watchdog.shown();
    expect(timers.count).toBe(0);
    expect(reloads).toEqual([]);
  });
});
