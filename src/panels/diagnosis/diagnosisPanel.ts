import { readFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import type { RunResult } from "../../core/job/types";
import {
  diagnosisFromWebview,
  type DiagnosisFromWebview,
  type DiagnosisToWebview,
  type DiagnosisViewState,
} from "../../protocol/diagnosis";
import { BasePanel } from "../basePanel";
import { runDir } from "../logs/logsPanel";
import { LogTail } from "../logs/logTail";
import { openLocation } from "../openLocation";
import type { PanelOptions, RunRef } from "../types";
import { diagnosisViewState } from "./diagnosisView";

export const DIAGNOSIS_VIEW_TYPE = "parity.diagnosis";

/** How a run ended, explained; refreshed while run.json changes. */
export class DiagnosisPanel extends BasePanel<DiagnosisToWebview, DiagnosisFromWebview> {
  private result?: RunResult;
  private error?: string;
  private watch?: LogTail;

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    readonly run: RunRef,
    options: PanelOptions,
  ) {
    super(panel, context, "diagnosis", diagnosisFromWebview, options.log);
    this.load(run);
    this.follow();
    this.disposables.push({ dispose: () => this.watch?.stop() });
  }

  protected handlers() {
    return { openLocation: ({ index }: DiagnosisFromWebview["openLocation"]) => void this.open(index) };
  }

  protected onReady(): void {
    this.publish();
  }

  /** Reads run.json now and whenever it changes, until the run has ended. */
  private follow(): void {
    this.watch?.stop();
    this.watch = new LogTail(
      runDir(this.run),
      { onLines: () => undefined, onRun: (result) => this.show(result), onReset: () => undefined },
      { logs: false },
    );
    void this.watch.start().then(() => this.checkRecorded());
  }

  private async checkRecorded(): Promise<void> {
    if (this.result) return;
    try {
      await readFile(path.join(runDir(this.run), "run.json"), "utf8");
    } catch {
      this.error = `Run ${this.run.runId} has no record in ${path.join(this.run.workspaceDir, ".parity", "runs")} yet. It appears here once it starts.`;
      this.publish();
    }
  }

  private show(result: RunResult): void {
    this.result = result;
    this.error = undefined;
    this.panel.title = `Diagnosis: ${path.basename(result.notebook)}`;
    this.publish();
  }

  private publish(): void {
    const state: DiagnosisViewState = this.result
      ? diagnosisViewState(this.result)
      : {
          notebookName: this.run.runId,
          runId: this.run.runId,
          status: "pending",
          statusLabel: "Pending",
          headline: "Reading the run's record...",
          facts: [],
          items: [],
          live: true,
        };
    this.messenger.sendLatest("state", this.error ? { ...state, error: this.error } : state);
  }

  private async open(index: number): Promise<void> {
    const location = this.result?.diagnosis[index]?.location;
    if (!location) return;
    try {
      await openLocation(location, this.run.workspaceDir);
    } catch (error) {
      void vscode.window.showErrorMessage(
        `Parity could not open ${path.basename(location.file)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
