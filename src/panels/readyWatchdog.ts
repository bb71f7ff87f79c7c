/**
 * Loads a panel's page again when it does not say `ready` in time while in view. After a window
 * reload, code-server sometimes shows a restored webview blank: its page's script and styles are
 * fetched outside the webview's service worker (net::ERR_NAME_NOT_RESOLVED in the console) and
 * never run. Setting the same page again (with a new nonce) makes VS Code load it in a new frame,
 * which loads. vscode-free; the panel tells it what happens.
 */
export interface WatchdogTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** How long to wait for `ready` before each new load; then it gives up until the next show. */
export const READY_DELAYS_MS = [4000, 8000, 16000];

export class ReadyWatchdog {
  private timer: unknown;
  private attempts = 0;
  private disposed = false;

  constructor(
    /** Sets the page again; `attempt` counts from 1. */
    private readonly reload: (attempt: number, waitedMs: number) => void,
    private readonly delays: readonly number[] = READY_DELAYS_MS,
    private readonly timers: WatchdogTimers = {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  ) {}

  /** The page was set (by the panel or by `reload`). */
  loaded(visible: boolean): void {
    this.stop();
    if (visible) this.wait();
  }

  /** The panel came into view not ready: VS Code loads (or reloads) its page now. */
  shown(): void {
    if (this.timer === undefined) this.wait();
  }

  /** Out of view: a page not loaded yet loads when shown (a page not retained is dropped); wait again then. */
  hidden(): void {
    this.stop();
    this.attempts = 0;
  }

  ready(): void {
    this.stop();
    this.attempts = 0;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private wait(): void {
    if (this.disposed || this.attempts >= this.delays.length) return;
    const delay = this.delays[this.attempts]!;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      if (this.disposed) return;
      this.attempts++;
      this.reload(this.attempts, delay);
    }, delay);
  }

  private stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
