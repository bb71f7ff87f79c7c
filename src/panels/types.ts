import path from "node:path";
import type { Environment } from "../core/environment/types";
import type { ParityReport } from "../core/parity";
import { runRefOfDir } from "../services/runRef";
import { RUNS_DIR } from "../targets/store/runStore";

/** A notebook's parity report with the environments it compared. */
export interface ReportData {
  notebookFile: string;
  profileFile?: string;
  imageTag?: string;
  report: ParityReport;
  local?: Environment;
  image?: Environment;
}

/** A recorded run: <workspaceDir>/.parity/runs/<runId>/{run.json,logs.jsonl}. */
export interface RunRef {
  workspaceDir: string;
  runId: string;
}

export interface PanelOptions {
  /** Recomputes a notebook's report (panel restore after reload; after a fix is applied). */
  computeReport(notebookFile: string, signal: AbortSignal): Promise<ReportData>;
  /** Appends a line to the "Parity" output channel. */
  log(message: string): void;
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
  if (typeof runId !== "string" || runId === "." || runId === ".." || !/^[\w.-]+$/.test(runId))
    return undefined;
  return { workspaceDir, runId };
}

/**
 * `run`, when its record lies inside one of `workspaceFolders`, with the Runs view's own check
 * (src/services/runRef.ts); undefined otherwise. A restored panel's state and a command's argument
 * are not trusted to name a folder anywhere else.
 */
export function runRefInWorkspace(run: RunRef, workspaceFolders: readonly string[]): RunRef | undefined {
  const checked = runRefOfDir(path.join(run.workspaceDir, RUNS_DIR, run.runId), workspaceFolders);
  return checked?.runId === run.runId ? checked : undefined;
}
