import type { RunRef } from "../app/store";
import type { Pipeline } from "../core/pipeline/types";
import type { CanaryChange, CanaryOutcome } from "../protocol/endpoint";
import type { App } from "../services/app";
import type { ReportData } from "../services/reportStore";

export interface PanelOptions {
  /** Recomputes a notebook's report (panel restore after reload; after a fix is applied). */
  computeReport(notebookFile: string, signal: AbortSignal): Promise<ReportData>;
  /**
   * Reads a pipeline's file (a tagged notebook, a pipeline.yaml) without building or running
   * anything: the run graph's edges where a run's record does not carry them.
   */
  readPipeline(file: string, signal: AbortSignal): Promise<Pipeline>;
  /**
   * Sends an inference request to an endpoint (`count` times, `concurrency` at once) through the
   * application layer, which the host loads on first use: the endpoint panel's Send.
   */
  sendRequests: App["sendRequests"];
  /**
   * Promotes or rolls back a cluster endpoint's canary (the endpoint panel's buttons), asking what
   * the user must confirm and showing the progress; says what came of it, failures included.
   */
  changeCanary(run: RunRef, change: CanaryChange): Promise<CanaryOutcome>;
  /** Appends a line to the "Parity" output channel. */
  log(message: string): void;
}
