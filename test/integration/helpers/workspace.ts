import type { ChildProcess } from "node:child_process";
import { chmod, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { main } from "../../../src/cli/main";
import type { CliIO } from "../../../src/cli/io";

export const repoRoot = path.resolve(__dirname, "../../..");

/** A private copy of an example or fixture folder, so runs and outputs never touch the repo. */
export async function copyWorkspace(
  relative: string,
  prefix = "parity-test-",
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  // mkdtemp makes the folder private (0700); the job's non-root user must be able to read it,
  // as it reads a user's ordinary project folder.
  await chmod(dir, 0o755);
  // Like a fresh checkout: no earlier outputs or run records.
  const skip = new Set(["outputs", ".parity"]);
  await cp(path.join(repoRoot, relative), dir, {
    recursive: true,
    filter: (source) => !skip.has(path.basename(source)),
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A CLI process a test started and left running (the test failed before the process ended):
 * stopped as Ctrl-C stops it, so that its containers go with it, before its workspace is removed.
 */
export async function interruptIfRunning(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
}

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** The real CLI, in process: same code as bin/parity.js, with output captured. */
export async function runCli(
  args: string[],
  options: {
    cwd: string;
    signal?: AbortSignal;
    env?: NodeJS.ProcessEnv;
    onErr?: (line: string) => void;
    onOut?: (line: string) => void;
  },
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (line) => {
      out.push(line);
      options.onOut?.(line);
    },
    err: (line) => {
      err.push(line);
      options.onErr?.(line);
    },
    isTTY: false,
    signal: options.signal ?? new AbortController().signal,
    cwd: options.cwd,
    env: options.env ?? process.env,
  };
  const code = await main(args, io);
  return { code, out, err };
}

/** The last line of stdout as JSON: the contract of every --json command. */
export function lastJson<T>(run: CliRun): T {
  return JSON.parse(run.out.at(-1) ?? "null") as T;
}

export type CellSource = string | string[];

/** A notebook's JSON with these code cells, in order: a cell's source, with tags where it has any. */
export function notebookJson(cells: Array<CellSource | { source: CellSource; tags?: string[] }>): string {
  return JSON.stringify({
    cells: cells.map((cell, index) => {
      const { source, tags } = typeof cell === "string" || Array.isArray(cell) ? { source: cell } : cell;
      return {
        cell_type: "code",
        id: `c${index + 1}`,
        metadata: tags ? { tags } : {},
        execution_count: null,
        outputs: [],
        source,
      };
    }),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
}
