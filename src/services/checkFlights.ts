import { CancelledError } from "../core/errors";

interface Flight<T> {
  controller: AbortController;
  promise: Promise<T>;
}

/** What a check is told: its signal, and whether it is still the notebook's newest check. */
export interface FlightControl {
  signal: AbortSignal;
  /** False once a newer check of the same notebook started: the result must not be stored. */
  isCurrent(): boolean;
}

/**
 * At most one check per notebook counts. A caller that only needs a report (Open Report) joins the
 * running check; a new check (Check Parity, the check after a fix, a restored panel) supersedes
 * it: the older is aborted, its result is dropped and its callers see a cancellation, so an older
 * check can never overwrite a newer report.
 */
export class CheckFlights<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** The running check of `key`, to join, or undefined. */
  running(key: string): Promise<T> | undefined {
    return this.flights.get(key)?.promise;
  }

  /** Starts a check of `key` that supersedes the running one; `signal` (the caller's Cancel) aborts it. */
  start(key: string, signal: AbortSignal, task: (control: FlightControl) => Promise<T>): Promise<T> {
    this.flights
      .get(key)
      ?.controller.abort(new CancelledError("A newer check of this notebook replaced this one."));
    const controller = new AbortController();
    const follow = (): void => controller.abort(signal.reason);
    if (signal.aborted) follow();
    else signal.addEventListener("abort", follow, { once: true });
    const flight = { controller } as Flight<T>;
    const isCurrent = (): boolean => this.flights.get(key) === flight;
    this.flights.set(key, flight);
    flight.promise = (async () => {
      try {
        const result = await task({ signal: controller.signal, isCurrent });
        if (!isCurrent()) throw new CancelledError("A newer check of this notebook replaced this one.");
        return result;
      } finally {
        signal.removeEventListener("abort", follow);
        if (isCurrent()) this.flights.delete(key);
      }
    })();
    return flight.promise;
  }
}
