import path from "node:path";
import { isInside } from "../../core/paths";

/** Parity's own folder in a workspace: run records, build locks. */
export const PARITY_DIR = ".parity";
/** Where runs are recorded, below a workspace folder: `<workspace>/.parity/runs/<run id>/`. */
export const RUNS_DIR = path.join(PARITY_DIR, "runs");

/** A recorded run: <workspaceDir>/.parity/runs/<runId>/{run.json,logs.jsonl}. */
export interface RunRef {
  workspaceDir: string;
  runId: string;
}

/** The folder that holds a run's record. */
export function runDir(run: RunRef): string {
  return path.join(run.workspaceDir, RUNS_DIR, run.runId);
}

/** <workspace>/.parity/runs/<id> → <workspace>. */
export function workspaceOfRunDir(dir: string): string {
  return path.resolve(dir, "..", "..", "..");
}

/**
 * The RunRef of a run's folder, `<workspaceDir>/.parity/runs/<runId>`, read from the path itself:
 * never from run.json, whose runId a crafted record could point anywhere. Undefined when the folder
 * is not such a folder or its workspace is not inside one of `workspaceFolders`.
 */
export function runRefOfDir(dir: string, workspaceFolders: readonly string[]): RunRef | undefined {
  const runId = path.basename(dir);
  if (!isRunId(runId)) return undefined;
  const runsDir = path.dirname(path.resolve(dir));
  const parityDir = path.dirname(runsDir);
  if (path.basename(runsDir) !== "runs" || path.basename(parityDir) !== PARITY_DIR) return undefined;
  const workspaceDir = path.dirname(parityDir);
  const inside = workspaceFolders.some((folder) => isInside(workspaceDir, path.resolve(folder)));
  return inside ? { workspaceDir, runId } : undefined;
}

/**
 * A RunRef read back from a webview's saved state, or undefined when it is not one: an absolute
 * workspace folder and a run id that is one folder name (never "." or ".."). Whether that folder
 * may be read is `runRefInWorkspace`'s question.
 */
export function asRunRef(value: unknown): RunRef | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { workspaceDir, runId } = value as Partial<RunRef>;
  if (typeof workspaceDir !== "string" || !path.isAbsolute(workspaceDir)) return undefined;
  if (typeof runId !== "string" || !isRunId(runId)) return undefined;
  return { workspaceDir, runId };
}

/**
 * `run`, when its record lies inside one of `workspaceFolders`, with the Runs view's own check
 * (runRefOfDir); undefined otherwise. A restored panel's state and a command's argument are not
 * trusted to name a folder anywhere else.
 */
export function runRefInWorkspace(run: RunRef, workspaceFolders: readonly string[]): RunRef | undefined {
  const checked = runRefOfDir(runDir(run), workspaceFolders);
  return checked?.runId === run.runId ? checked : undefined;
}

function isRunId(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && /^[\w.-]+$/.test(name);
}
