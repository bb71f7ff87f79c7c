import { watch, type FSWatcher } from "node:fs";
import { open, readFile } from "node:fs/promises";
import type { LogLine, RunResult } from "../../core/job/types";
import { isFinished } from "../../core/workload/status";
import { parseLogLine } from "./logLine";
import { logFileOf, recordFileOf } from "./runStore";

/** Bytes read at a time, so a large log reaches the panel in pieces. */
const CHUNK_BYTES = 1024 * 1024;
/** The safety net under fs.watch (which can miss events on some file systems), while the run is live. */
const DEFAULT_POLL_MS = 1000;
/** A run whose record and log have not changed for IDLE_AFTER_MS (a long quiet step, or a run whose
 * process died without recording its end) is polled every IDLE_POLL_MS until it changes again. */
const IDLE_AFTER_MS = 30_000;
const IDLE_POLL_MS = 10_000;
const NEWLINE = 0x0a;
/** run.json can be final while the last lines are still being flushed to logs.jsonl: read once more after this. */
const SETTLE_MS = 1000;

export interface LogTailListener {
  /** New complete lines, in order; the tail waits for the returned promise before reading on. */
  onLines(lines: LogLine[]): Promise<void> | void;
  /** run.json was written (the run moved on, or ended). */
  onRun(result: RunResult): void;
  /** The log became shorter than what was read: it was replaced, start over. */
  onReset(): void;
  /** A read started by fs.watch or the poll failed (the tail goes on polling). */
  onError?(error: unknown): void;
}

export interface LogTailOptions {
  pollMs?: number;
  /** The poll's interval once nothing changed for `idleAfterMs`. */
  idlePollMs?: number;
  idleAfterMs?: number;
  settleMs?: number;
  /** false: follow run.json only (the diagnosis panel). */
  logs?: boolean;
  /** Where in logs.jsonl to start (a line's start): what lies before was read another way. */
  fromOffset?: number;
}

/**
 * Follows a recorded run's logs.jsonl by byte offset: every line once, in order, whoever writes
 * it (this window, the CLI, another window). A partial last line waits for its newline. Stops
 * watching once run.json says the run ended and the rest of the log is read.
 */
export class LogTail {
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
  private watcher?: FSWatcher;
  private timer?: ReturnType<typeof setTimeout>;
  /** The delay of the poll now scheduled. */
  private timerMs = 0;
  /** When the record or the log last changed (or the tail started). */
  private lastChange = Date.now();
  private running?: Promise<void>;
  private again = false;
  /** Stopped for good: nothing more is read or reported. */
  private stopped = false;
  /** run.json says the run ended: no more watching, one last read after SETTLE_MS. */
  private ended = false;
  private lastRunText?: string;
  private settle?: ReturnType<typeof setTimeout>;

  private readonly pollMs: number;
  private readonly idlePollMs: number;
  private readonly idleAfterMs: number;
  private readonly settleMs: number;
  private readonly followLogs: boolean;

  constructor(
    readonly runDir: string,
    private readonly listener: LogTailListener,
    options: LogTailOptions = {},
  ) {
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.idlePollMs = Math.max(options.idlePollMs ?? IDLE_POLL_MS, this.pollMs);
    this.idleAfterMs = options.idleAfterMs ?? IDLE_AFTER_MS;
    this.settleMs = options.settleMs ?? SETTLE_MS;
    this.followLogs = options.logs ?? true;
    this.offset = options.fromOffset ?? 0;
  }

  get logFile(): string {
    return logFileOf(this.runDir);
  }

  /** Reads what is there, then follows the run until it ends. */
  async start(): Promise<void> {
    this.lastChange = Date.now();
    await this.update();
    if (this.ended || this.stopped) return;
    this.watchFolder();
    this.schedulePoll();
  }

  /** The current poll interval: fast while the run changes, slower once it has been quiet a while. */
  get pollInterval(): number {
    return Date.now() - this.lastChange >= this.idleAfterMs ? this.idlePollMs : this.pollMs;
  }

  /** The next poll, once the previous read is done (a setTimeout chain: reads never overlap). */
  private schedulePoll(): void {
    if (this.timer || this.ended || this.stopped) return;
    this.timerMs = this.pollInterval;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.watchFolder();
      void this.background().then(() => this.schedulePoll());
    }, this.timerMs);
  }

  /** Something changed: back to the fast poll if the slow one is waiting. */
  private changed(): void {
    this.lastChange = Date.now();
    if (this.timer && this.timerMs > this.pollMs) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedulePoll();
    }
  }

  /** A read nobody awaits: its failure goes to the listener, never an unhandled rejection. */
  private background(): Promise<void> {
    return this.update().catch((error: unknown) => {
      if (!this.stopped) this.listener.onError?.(error);
    });
  }

  /** The folder, not the files: run.json is replaced by a rename, and logs.jsonl may not exist yet. */
  private watchFolder(): void {
    if (this.watcher || this.ended || this.stopped) return;
    try {
      const watcher = watch(this.runDir, () => void this.background());
      watcher.on("error", () => {
        watcher.close();
        if (this.watcher === watcher) this.watcher = undefined;
      });
      this.watcher = watcher;
    } catch {
      // The folder does not exist yet: the next poll tries again.
    }
  }

  /** Reads new lines and run.json; calls made while one runs are folded into one more pass. */
  update(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const ended = await this.readRun();
        await this.readLogs();
        if (ended && !this.ended) this.finish();
      } while (this.again && !this.ended && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The run ended: stop following, and pick up lines flushed after run.json was written. */
  private finish(): void {
    this.ended = true;
    this.stopWatching();
    if (!this.stopped)
      this.settle = setTimeout(
        () =>
          void this.readLogs().catch((error: unknown) => {
            if (!this.stopped) this.listener.onError?.(error);
          }),
        this.settleMs,
      );
  }

  /** Stops for good, also in the middle of reading (the panel closed). */
  stop(): void {
    this.stopped = true;
    if (this.settle) clearTimeout(this.settle);
    this.settle = undefined;
    this.stopWatching();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async readRun(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(recordFileOf(this.runDir), "utf8");
    } catch {
      return false; // Not written yet.
    }
    let result: RunResult;
    try {
      result = JSON.parse(text) as RunResult;
    } catch {
      return false;
    }
    if (text !== this.lastRunText) {
      this.lastRunText = text;
      this.changed();
      this.listener.onRun(result);
    }
    return isFinished(result.status);
  }

  private async readLogs(): Promise<void> {
    if (!this.followLogs || this.stopped) return;
    let handle;
    try {
      handle = await open(this.logFile, "r");
    } catch {
      return;
    }
    try {
      const { size } = await handle.stat();
      if (size !== this.offset) this.changed();
      if (size < this.offset) {
        this.offset = 0;
        this.partial = Buffer.alloc(0);
        this.listener.onReset();
      }
      while (this.offset < size && !this.stopped) {
        const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, size - this.offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const lines = this.takeLines(buffer.subarray(0, bytesRead));
        if (lines.length > 0) await this.listener.onLines(lines);
      }
    } finally {
      await handle.close();
    }
  }

  /** Complete lines of `chunk` after what was left over; splitting on the newline byte keeps UTF-8 intact. */
  private takeLines(chunk: Buffer): LogLine[] {
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    const end = data.lastIndexOf(NEWLINE);
    if (end < 0) {
      this.partial = Buffer.from(data);
      return [];
    }
    this.partial = Buffer.from(data.subarray(end + 1));
    const lines: LogLine[] = [];
    for (const text of data.toString("utf8", 0, end).split("\n")) {
      const line = parseLogLine(text);
      if (line) lines.push(line);
    }
    return lines;
  }
}
