import type { RunSummary } from "./runPresentation";

/** A row of the Runs view, as commands receive it. */
export interface RunNode {
  summary: RunSummary;
  notebookFile: string;
  /** The workspace whose .parity/runs holds the record; absent while still building. */
  workspaceDir?: string;
  /** The record's folder, <workspaceDir>/.parity/runs/<runId>. */
  dir?: string;
  /** Recorded as live, but its container is gone and no window owns it. */
  orphaned?: boolean;
  /** The key of a run started from this window, while it builds or runs. */
  activeKey?: string;
  /** The notebook's folder, where its name alone does not tell it apart ("examples/train"). */
  folder?: string;
}

export function isRunNode(value: unknown): value is RunNode {
  return typeof value === "object" && value !== null && "summary" in value && "notebookFile" in value;
}
