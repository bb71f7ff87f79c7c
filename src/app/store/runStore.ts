import { createWriteStream, readFileSync, type Dirent, type WriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ParityError } from "../../core/errors";
import { measuredPeak } from "../../core/job/peakMemory";
import type { LogLine, RunRecordWriter, RunResult } from "../../core/job/types";
import { isFinished } from "../../core/workload/status";
import { cancelRequested, watchCancelRequest } from "./cancelRequest";
import { claimFollower } from "./follower";
import { parseLogLine } from "./logLine";
import { insideWorkspace } from "./parityFolder";
import { RUNS_DIR, runDir, type RunRef } from "./runRef";

/**
 * The one module that owns run records on disk. Runs are kept under
 * `<workspace>/.parity/runs/<run id>/`: `run.json` (the result, rewritten atomically as the run
 * moves), `logs.jsonl` (one line of output a line, appended as it comes) and, while a process
 * follows the run, `follower.json` (see follower.ts). Logs survive the container, and every reader
 * (`parity logs`, the panels, the Runs view, attach) goes through here.
 */
export function newRunId(jobName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  const slug =
    jobName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "run";
  return `${slug}-${stamp}-${randomBytes(2).toString("hex")}`;
}

const RECORD = "run.json";
const LOGS = "logs.jsonl";

/**
 * A run's record as its one follower writes it. Made by `create` (a new run) or `reopen` (a run
 * whose follower went away, picked up again); both claim the run first, and `release` gives the
 * claim up once the last record is written.
 */
export class RunRecorder implements RunRecordWriter {
  private logs?: WriteStream;
  /** Settles once the log file has caught up (it was behind at the last line written). */
  private drained?: Promise<void>;
  /** Saves happen one after another, in the order they were asked for: the last one asked wins. */
  private writes: Promise<void> = Promise.resolve();
  /** Ends the watch for cancel requests (honourCancelRequests). */
  private stopWatching?: () => void;

  private constructor(
    readonly dir: string,
    private readonly releaseClaim: () => Promise<void>,
  ) {}

  /** A new run's folder, claimed by this process before anything is recorded in it. */
  static async create(workspaceDir: string, runId: string): Promise<RunRecorder> {
    const dir = await insideWorkspace(workspaceDir, runDir({ workspaceDir, runId }));
    await mkdir(dir, { recursive: true });
    const recorder = new RunRecorder(dir, await claimFollower(dir, runId));
    recorder.openLogs();
    return recorder;
  }

  /**
   * A recorded run whose follower went away, claimed by this process (refused while another live
   * process follows it), with its record read again now that nobody else writes it. Its log goes on
   * where it stopped: a line a killed process left half-written is ended first.
   */
  static async reopen(stored: StoredRun): Promise<{ recorder: RunRecorder; current: StoredRun }> {
    const release = await claimFollower(stored.dir, stored.result.runId);
    try {
      const current: StoredRun = { dir: stored.dir, result: await readRecordFile(stored.dir) };
      await endPartialLine(join(stored.dir, LOGS));
      const recorder = new RunRecorder(stored.dir, release);
      recorder.openLogs();
      return { recorder, current };
    } catch (error) {
      await release();
      throw error;
    }
  }

  private openLogs(): void {
    this.logs = createWriteStream(join(this.dir, LOGS), { flags: "a" });
  }

  log(line: LogLine): void | Promise<void> {
    const logs = this.logs;
    if (!logs || logs.write(`${JSON.stringify(line)}\n`)) return;
    // One wait for every writer that finds the file behind, however many lines they add meanwhile.
    return (this.drained ??= new Promise((resolve) => {
      const done = (): void => {
        logs.off("drain", done);
        logs.off("close", done);
        this.drained = undefined;
        resolve();
      };
      logs.on("drain", done);
      logs.on("close", done);
    }));
  }

  save(result: RunResult): Promise<void> {
    const file = join(this.dir, RECORD);
    const text = `${JSON.stringify(result, null, 2)}\n`;
    const write = this.writes.then(async () => {
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    });
    this.writes = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    const logs = this.logs;
    this.logs = undefined;
    if (logs) await new Promise<void>((resolve) => logs.end(resolve));
  }

  async cancelRequested(): Promise<boolean> {
    return cancelRequested(this.dir);
  }

  /**
   * What the run's work stops on: `signal` (Ctrl-C, Cancel in this window), or a cancel request
   * another process leaves in the run's folder (`parity delete`, Cancel Run in another window),
   * which is honoured as Ctrl-C is. Watched until release().
   */
  honourCancelRequests(signal: AbortSignal): AbortSignal {
    const requested = new AbortController();
    this.stopWatching?.();
    this.stopWatching = watchCancelRequest(this.dir, () => requested.abort());
    return AbortSignal.any([signal, requested.signal]);
  }

  /** Gives up this process's claim on the run (after its last save); the log is closed too. */
  async release(): Promise<void> {
    this.stopWatching?.();
    await this.close();
    await this.releaseClaim();
  }
}

/** A line cut short by a crash mid-write would swallow the next one appended: end it. */
async function endPartialLine(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, "r+");
  } catch {
    return; // No log yet.
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await handle.write("\n", size);
  } finally {
    await handle.close();
  }
}

export interface StoredRun {
  dir: string;
  result: RunResult;
}

/** How deep below the current folder `parity logs` looks for other workspaces' runs. */
const SEARCH_DEPTH = 3;
const SKIPPED_FOLDERS = new Set(["node_modules", ".git", ".venv", "venv", "__pycache__", "dist"]);

/** Runs of a workspace and of the workspaces in its subfolders, newest first. */
export async function listRunsBelow(root: string, depth = SEARCH_DEPTH): Promise<StoredRun[]> {
  const runs = await listRuns(root);
  if (depth > 0) {
    let entries: Dirent[] = [];
    try {
      entries = await readdir(root, { withFileTypes: true });
    } catch {
      return runs;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || SKIPPED_FOLDERS.has(entry.name)) continue;
      runs.push(...(await listRunsBelow(join(root, entry.name), depth - 1)));
    }
  }
  return runs.sort(newestFirst);
}

function newestFirst(a: StoredRun, b: StoredRun): number {
  return (b.result.startedAt ?? "").localeCompare(a.result.startedAt ?? "");
}

/** One entry per folder, newest first, at most `limit`. */
export function newestRuns(runs: StoredRun[], limit: number): StoredRun[] {
  const unique = new Map(runs.map((run) => [run.dir, run]));
  return [...unique.values()].sort(newestFirst).slice(0, limit);
}

/** Runs of a workspace, newest first. */
export async function listRuns(workspaceDir: string): Promise<StoredRun[]> {
  const root = join(workspaceDir, RUNS_DIR);
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const runs: StoredRun[] = [];
  for (const name of names) {
    try {
      runs.push({ dir: join(root, name), result: await readRecord(join(root, name)) });
    } catch {
      // A run whose record was never written (killed before it started) has nothing to show.
    }
  }
  return runs.sort(newestFirst);
}

/**
 * Records already read, by file: a view that lists runs on every change re-reads only the
 * records that changed (run.json is replaced by rename, so every write has a new inode).
 */
const records = new Map<string, { ino: number; mtimeMs: number; size: number; result: RunResult }>();
const MAX_CACHED_RECORDS = 2000;

/** The record in a run's folder, read again only when it changed since the last read. */
export async function readRecord(dir: string): Promise<RunResult> {
  const file = join(dir, RECORD);
  const info = await stat(file);
  const known = records.get(file);
  if (known && known.ino === info.ino && known.mtimeMs === info.mtimeMs && known.size === info.size) {
    return known.result;
  }
  const result = parseRecord(await readFile(file, "utf8"));
  if (records.size >= MAX_CACHED_RECORDS) records.clear();
  records.set(file, { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size, result });
  return result;
}

/** The record as it is on disk now, never from the cache (a writer may have replaced it this millisecond). */
async function readRecordFile(dir: string): Promise<RunResult> {
  return parseRecord(await readFile(join(dir, RECORD), "utf8"));
}

/**
 * A record as Parity reads it. A peak without its source was written before Parity measured peaks:
 * the highest of the engine's samples a second apart, not a peak; readers see none (not measured).
 */
function parseRecord(text: string): RunResult {
  const result = JSON.parse(text) as RunResult;
  if (result.peakMemoryBytes !== undefined && !measuredPeak(result)) delete result.peakMemoryBytes;
  return result;
}

/** The record of a run, or undefined when it has none yet (or it cannot be read). */
export async function readRecordOf(run: RunRef): Promise<RunResult | undefined> {
  try {
    return await readRecordFile(runDir(run));
  } catch {
    return undefined;
  }
}

/** As readRecordOf, at once: a panel's title is needed while it is created. */
export function readRecordNow(run: RunRef): RunResult | undefined {
  try {
    return parseRecord(readFileSync(join(runDir(run), RECORD), "utf8"));
  } catch {
    return undefined;
  }
}

/** A run by id or unique id prefix, in this folder or below; the newest when no id is given. */
export async function findRun(workspaceDir: string, id?: string): Promise<StoredRun> {
  const runs = await listRunsBelow(workspaceDir);
  if (runs.length === 0) {
    throw new ParityError("NoRuns", `No runs are recorded in ${join(workspaceDir, RUNS_DIR)}.`, {
      fix: "Run a notebook first: parity run <notebook>.",
    });
  }
  if (!id) return runs[0]!;
  // A whole id is that run, even where other ids begin with it (a cluster pipeline's steps are named after it).
  const exact = runs.filter((run) => run.result.runId === id);
  const matches = exact.length > 0 ? exact : runs.filter((run) => run.result.runId.startsWith(id));
  if (matches.length === 1) return matches[0]!;
  const known = runs
    .slice(0, 5)
    .map((run) => run.result.runId)
    .join(", ");
  throw new ParityError(
    matches.length === 0 ? "RunNotFound" : "RunAmbiguous",
    matches.length === 0 ? `No run "${id}" is recorded here.` : `"${id}" matches ${matches.length} runs.`,
    { fix: `Name one of the recorded runs, e.g. ${known}.` },
  );
}

/** Every recorded line of a run's output, in the order it was recorded; damaged lines are skipped. */
export async function readRunLogs(run: { dir: string }): Promise<LogLine[]> {
  let text: string;
  try {
    text = await readFile(join(run.dir, LOGS), "utf8");
  } catch {
    return [];
  }
  return text.split("\n").flatMap((line) => {
    const parsed = parseLogLine(line);
    return parsed ? [parsed] : [];
  });
}

/** The file a run's output is appended to, for a tail that follows it by byte offset (logTail.ts). */
export function logFileOf(dir: string): string {
  return join(dir, LOGS);
}

/** The file of a run's record, for a tail that follows it (logTail.ts). */
export function recordFileOf(dir: string): string {
  return join(dir, RECORD);
}

/** Glob patterns (relative to a workspace folder) that match a change to any record or run folder. */
export const RECORD_PATTERNS = ["**/.parity/runs/*/run.json", "**/.parity/runs/*"];

/**
 * When the process that follows a run last wrote its record or its log (ISO 8601), over these run
 * folders (a workload's and its parts'); undefined when none has either.
 */
export async function lastWrittenAt(dirs: string[]): Promise<string | undefined> {
  const times = await Promise.all(
    dirs.flatMap((dir) =>
      [RECORD, LOGS].map((name) =>
        stat(join(dir, name)).then(
          (info) => info.mtimeMs,
          () => 0,
        ),
      ),
    ),
  );
  const last = Math.max(0, ...times);
  return last > 0 ? new Date(last).toISOString() : undefined;
}

/** How often a record another process writes is read again while waiting for its end. */
const END_POLL_MS = 250;

/**
 * The run's record once it says the run ended (read again every END_POLL_MS), or as it is when
 * `timeoutMs` passed or `signal` aborted first.
 */
export async function awaitRecordedEnd(
  run: { dir: string },
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<RunResult> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const result = await readRecordFile(run.dir);
    if (isFinished(result.status) || Date.now() >= deadline || options.signal.aborted) return result;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        options.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, END_POLL_MS);
      options.signal.addEventListener("abort", done, { once: true });
    });
  }
}

/** Deletes a run's record and logs; only ever the folder of that run id inside the workspace's runs. */
export async function removeRecord(run: RunRef): Promise<void> {
  await rm(runDir(run), { recursive: true, force: true });
}
