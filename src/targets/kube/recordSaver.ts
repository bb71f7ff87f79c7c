import type { RunRecordWriter, RunResult } from "../../core/job/types";

/** How long run.json waits for more changes before it is written again. */
const DEBOUNCE_MS = 300;

/**
 * Writes a run's record as it changes, at most every DEBOUNCE_MS and one write at a time (each
 * write is atomic: a temporary file renamed over run.json, which two writes at once would race on).
 */
export class RecordSaver {
  private latest?: RunResult;
  private timer?: NodeJS.Timeout;
  private writes: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(private readonly recorder: RunRecordWriter) {}

  schedule(result: RunResult): void {
    if (this.finished) return;
    this.latest = result;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const next = this.latest!;
      // A failed intermediate write is not fatal: the next one (or the final flush) replaces it.
      this.writes = this.writes.then(() => this.recorder.save(next)).catch(() => undefined);
    }, DEBOUNCE_MS);
  }

  /** The last record of the run: later schedules are ignored, so nothing overwrites it. */
  async finish(result: RunResult): Promise<void> {
    this.finished = true;
    await this.flush(result);
  }

  /** Drops what is scheduled and writes this record once the writes under way are done. */
  async flush(result: RunResult): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const write = this.writes.then(() => this.recorder.save(result));
    this.writes = write.catch(() => undefined);
    await write;
  }
}
