import { describe, expect, it, vi } from "vitest";
import { Debouncer, StreamFollower } from "../../../src/services/refresh";

describe("the Runs view's refresh", () => {
  it("debounces a burst of events into one refresh 500 ms after the last", () => {
    vi.useFakeTimers();
    try {
      const refresh = vi.fn();
      const debouncer = new Debouncer(refresh, 500);
      debouncer.trigger();
      vi.advanceTimersByTime(400);
      debouncer.trigger();
      vi.advanceTimersByTime(400);
      expect(refresh).not.toHaveBeenCalled();
      vi.advanceTimersByTime(100);
      expect(refresh).toHaveBeenCalledTimes(1);
      debouncer.trigger();
      debouncer.dispose();
      vi.advanceTimersByTime(1000);
      expect(refresh).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("reconnects a failing event stream a bounded number of times, then gives up with the reason", async () => {
    const failure = new Error("connect ECONNREFUSED /var/run/docker.sock");
    const follow = vi.fn(async () => {
      throw failure;
    });
    const gaveUp = new Promise<unknown>((resolve) => {
      new StreamFollower({
        follow,
        onEvent: () => undefined,
        maxAttempts: 3,
        backoffMs: () => 1,
        onGiveUp: resolve,
      }).start();
    });
    expect(await gaveUp).toBe(failure);
    expect(follow).toHaveBeenCalledTimes(3);
  });

  it("counts failures again from one after a stream that delivered events", async () => {
    let calls = 0;
    const events: number[] = [];
    const gaveUp = new Promise<void>((resolve) => {
      new StreamFollower({
        follow: async (_signal, onEvent) => {
          calls++;
          if (calls <= 2) onEvent(); // two streams that worked, then ended
          throw new Error("ended");
        },
        onEvent: () => events.push(calls),
        maxAttempts: 2,
        backoffMs: () => 1,
        onGiveUp: () => resolve(),
      }).start();
    });
    await gaveUp;
    expect(events).toEqual([1, 2]);
    expect(calls).toBe(3);
  });

  it("stops following when stopped, without giving up", async () => {
    const onGiveUp = vi.fn();
    let started!: () => void;
    const following = new Promise<void>((resolve) => (started = resolve));
    const follower = new StreamFollower({
      follow: (signal) =>
        new Promise<void>((resolve) => {
          started();
          signal.addEventListener("abort", () => resolve());
        }),
      onEvent: () => undefined,
      onGiveUp,
    });
    follower.start();
    await following;
    expect(follower.running).toBe(true);
    follower.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(follower.running).toBe(false);
    expect(onGiveUp).not.toHaveBeenCalled();
  });
});
