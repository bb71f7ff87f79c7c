import type { ReportData } from "../services/reportStore";

export interface PanelOptions {
  /** Recomputes a notebook's report (panel restore after reload; after a fix is applied). */
  computeReport(notebookFile: string, signal: AbortSignal): Promise<ReportData>;
  /** Appends a line to the "Parity" output channel. */
  log(message: string): void;
}
