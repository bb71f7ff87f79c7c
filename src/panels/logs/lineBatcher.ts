import type { LogLine } from "../../core/job/types";

export interface BatcherOptions {
  /** Posts one batch; the next waits until it settles. */
  send(lines: LogLine[]): Promise<unknown> | unknown;
  /** Milliseconds between posts: about one animation frame or a little more. */
  intervalMs?: number;
  /** Lines in one post at most. */
  maxLines?: number;
  /** Characters in one post at most (a line longer than this still goes, alone). */
  maxChars?: number;
  /** Above this many waiting lines, push() makes the reader wait. */
  highWater?: number;
}

/**
 * Lines to the webview in batches, at most one post an interval and bounded in size; a fast
 * reader is slowed down instead of queueing a whole log in memory.
 */
export class LineBatcher {
  private pending: LogLine[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private sending = false;
  private waiters: Array<() => void> = [];
  private disposed = false;
  private readonly intervalMs: number;
  private readonly maxLines: number;
  private readonly maxChars: number;
  private readonly highWater: number;

  constructor(private readonly options: BatcherOptions) {
    this.intervalMs = options.intervalMs ?? 32;
    this.maxLines = options.maxLines ?? 5000;
    this.maxChars = options.maxChars ?? 1024 * 1024;
    this.highWater = options.highWater ?? 50_000;
  }

  push(lines: LogLine[]): Promise<void> {
    if (this.disposed) return Promise.resolve();
    for (const line of lines) this.pending.push(line);
    this.schedule();
    if (this.pending.length <= this.highWater) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops what waits (the log was replaced). */
  clear(): void {
    this.pending = [];
    this.release();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.pending = [];
    this.release();
  }

  private schedule(): void {
    if (this.timer || this.sending || this.pending.length === 0 || this.disposed) return;
    this.timer = setTimeout(() => void this.flush(), this.intervalMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    this.sending = true;
    try {
      await this.options.send(batch);
    } finally {
      this.sending = false;
    }
    if (this.pending.length <= this.highWater) this.release();
    this.schedule();
  }

  private takeBatch(): LogLine[] {
    let chars = 0;
    let count = 0;
    while (count < this.pending.length && count < this.maxLines) {
      chars += this.pending[count]!.text.length;
      if (count > 0 && chars > this.maxChars) break;
      count++;
    }
    return this.pending.splice(0, count);
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
