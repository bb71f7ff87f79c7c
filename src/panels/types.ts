import type { Environment } from "../core/environment/types";
import type { ParityReport } from "../core/parity";

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

/** A RunRef read back from a webview's saved state, or undefined when it is not one. */
export function asRunRef(value: unknown): RunRef | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { workspaceDir, runId } = value as Partial<RunRef>;
  return typeof workspaceDir === "string" && typeof runId === "string" && /^[\w.-]+$/.test(runId)
    ? { workspaceDir, runId }
    : undefined;
}
