/** Timers, injectable so tests drive time themselves. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Runs `action` once, `delayMs` after the last of a burst of triggers. */
export class Debouncer {
  private handle: unknown;

  constructor(
    private readonly action: () => void,
    private readonly delayMs = 500,
    private readonly timers: Timers = realTimers,
  ) {}

  trigger(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      this.action();
    }, this.delayMs);
  }

  dispose(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }
}

export interface FollowOptions {
  /** Follows the event source until it ends or fails; calls `onEvent` for each event. */
  follow(signal: AbortSignal, onEvent: () => void): Promise<void>;
  onEvent(): void;
  /** The source failed this many times in a row without an event in between: give up. */
  maxAttempts?: number;
  /** Wait before the given attempt (1-based retry count); default 1 s, 2 s, 4 s... */
  backoffMs?: (retry: number) => number;
  /** Called once when following stops for good, with the last failure. */
  onGiveUp(error: unknown): void;
  timers?: Timers;
}

/**
 * Follows an event stream (Docker's events) while started: reconnects when it ends or fails, a
 * bounded number of times in a row, and gives up with a reason instead of looping.
 */
export class StreamFollower {
  private controller?: AbortController;

  constructor(private readonly options: FollowOptions) {}

  get running(): boolean {
    return this.controller !== undefined;
  }

  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    void this.loop(controller.signal);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const backoff = this.options.backoffMs ?? ((retry) => 1000 * 2 ** (retry - 1));
    let failures = 0;
    let lastError: unknown = new Error("The event stream ended.");
    while (!signal.aborted) {
      let sawEvent = false;
      try {
        await this.options.follow(signal, () => {
          sawEvent = true;
          failures = 0;
          this.options.onEvent();
        });
      } catch (error) {
        lastError = error;
      }
      if (signal.aborted) return;
      failures = sawEvent ? 1 : failures + 1;
      if (failures >= maxAttempts) {
        if (this.controller?.signal === signal) this.controller = undefined;
        this.options.onGiveUp(lastError);
        return;
      }
      await this.sleep(backoff(failures), signal);
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    const timers = this.options.timers ?? realTimers;
    return new Promise((resolve) => {
      const handle = timers.setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      function done(): void {
        timers.clearTimeout(handle);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}
