import { describe, expect, it } from "vitest";
import { isCancelled } from "../../../src/core/errors";
import { CheckFlights, type FlightControl } from "../../../src/services/checkFlights";

/** A check that ends when the test says so, recording what it was told. */
function deferredCheck() {
  let finish!: (value: string) => void;
  let control!: FlightControl;
  const task = (given: FlightControl): Promise<string> => {
    control = given;
    return new Promise<string>((resolve) => (finish = resolve));
  };
  return { task, finish: (value: string) => finish(value), control: () => control };
}

describe("parity checks of one notebook", () => {
  it("lets Open Report join the running check instead of starting a second", async () => {
    const flights = new CheckFlights<string>();
    const check = deferredCheck();
    const started = flights.start("/w/a.ipynb", new AbortController().signal, check.task);
    const joined = flights.running("/w/a.ipynb");
    expect(joined).toBe(started);
    expect(flights.running("/w/b.ipynb")).toBeUndefined();
    check.finish("report");
    await expect(joined).resolves.toBe("report");
    expect(flights.running("/w/a.ipynb")).toBeUndefined();
  });

  it("lets a newer check supersede an older one, which can no longer win", async () => {
    const flights = new CheckFlights<string>();
    const older = deferredCheck();
    const newer = deferredCheck();
    const first = flights.start("/w/a.ipynb", new AbortController().signal, older.task);
    const second = flights.start("/w/a.ipynb", new AbortController().signal, newer.task);
    expect(older.control().signal.aborted).toBe(true);
    expect(older.control().isCurrent()).toBe(false);
    expect(newer.control().isCurrent()).toBe(true);
    expect(flights.running("/w/a.ipynb")).toBe(second);
    // The older check ignores its signal and ends last: its caller is told it was cancelled.
    newer.finish("after the fix");
    older.finish("before the fix");
    await expect(second).resolves.toBe("after the fix");
    const error = await first.catch((reason: unknown) => reason);
    expect(isCancelled(error)).toBe(true);
    expect(flights.running("/w/a.ipynb")).toBeUndefined();
  });

  it("aborts the check when its caller cancels, and forgets it", async () => {
    const flights = new CheckFlights<string>();
    const caller = new AbortController();
    const flight = flights.start("/w/a.ipynb", caller.signal, ({ signal }) => {
      return new Promise<string>((_, reject) =>
        signal.addEventListener("abort", () => reject(new DOMException("Aborted", "AbortError"))),
      );
    });
    caller.abort();
    const error = await flight.catch((reason: unknown) => reason);
    expect(isCancelled(error)).toBe(true);
    expect(flights.running("/w/a.ipynb")).toBeUndefined();
  });
});
