import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ParityError } from "../../core/errors";
import type { LogLine, RunResult } from "../../core/job/types";

/**
 * Runs are kept under `<workspace>/.parity/runs/<run id>/`: `run.json` (the result, rewritten
 * atomically as the run moves) and `logs.jsonl` (one line of output a line, appended as it comes),
 * so logs survive the container and `parity logs` can print them later.
 */
export const RUNS_DIR = join(".parity", "runs");

export function newRunId(jobName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  const slug =
    jobName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "run";
  return `${slug}-${stamp}-${randomBytes(2).toString("hex")}`;
}

export class RunRecorder {
  private logs?: WriteStream;

  private constructor(readonly dir: string) {}

  static async create(workspaceDir: string, runId: string): Promise<RunRecorder> {
    const dir = join(workspaceDir, RUNS_DIR, runId);
    await mkdir(dir, { recursive: true });
    const recorder = new RunRecorder(dir);
    recorder.logs = createWriteStream(join(dir, "logs.jsonl"), { flags: "a" });
    return recorder;
  }

  log(line: LogLine): void {
    this.logs?.write(`${JSON.stringify(line)}\n`);
  }

  async save(result: RunResult): Promise<void> {
    const file = join(this.dir, "run.json");
    await writeFile(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  }

  async close(): Promise<void> {
    const logs = this.logs;
    this.logs = undefined;
    if (logs) await new Promise<void>((resolve) => logs.end(resolve));
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
    let entries: import("node:fs").Dirent[] = [];
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
      runs.push({ dir: join(root, name), result: await readRecord(join(root, name, "run.json")) });
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

async function readRecord(file: string): Promise<RunResult> {
  const info = await stat(file);
  const known = records.get(file);
  if (known && known.ino === info.ino && known.mtimeMs === info.mtimeMs && known.size === info.size) {
    return known.result;
  }
  const result = JSON.parse(await readFile(file, "utf8")) as RunResult;
  if (records.size >= MAX_CACHED_RECORDS) records.clear();
  records.set(file, { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size, result });
  return result;
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
  const matches = runs.filter((run) => run.result.runId === id || run.result.runId.startsWith(id));
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

export async function readRunLogs(run: StoredRun): Promise<LogLine[]> {
  let text: string;
  try {
    text = await readFile(join(run.dir, "logs.jsonl"), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim())
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return []; // A line cut by a crash mid-write: keep the rest.
      }
    });
}
