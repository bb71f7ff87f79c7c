import path from "node:path";
import * as vscode from "vscode";
import type { RunResult } from "../../core/job/types";
import { failureMessage } from "../../core/presentation/messages";
import {
  diagnosisFromWebview,
  type DiagnosisFromWebview,
  type DiagnosisToWebview,
  type DiagnosisViewState,
} from "../../protocol/diagnosis";
import { BasePanel } from "../basePanel";
import { readRecordOf, RUNS_DIR, type RunRef } from "../../app/store";
import { RecordFollower } from "../recordFollower";
import { openLocation } from "../openLocation";
import { applyProfileSnippet } from "../applyFix";
import type { PanelOptions } from "../types";
import { diagnosisViewState } from "./diagnosisView";

export const DIAGNOSIS_VIEW_TYPE = "parity.diagnosis";

/** How a run ended, explained; refreshed while run.json changes. */
export class DiagnosisPanel extends BasePanel<DiagnosisToWebview, DiagnosisFromWebview> {
  private result?: RunResult;
  private error?: string;
  private readonly record: RecordFollower;

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    readonly run: RunRef,
    options: PanelOptions,
  ) {
    super(panel, context, "diagnosis", diagnosisFromWebview, options.log);
    this.record = new RecordFollower(run, {
      onRun: (result) => this.show(result),
      onError: (error) => this.failedToFollow(error),
      onStarted: () => this.checkRecorded(),
    });
    this.load(run);
    this.disposables.push({ dispose: () => this.record.stop() });
  }

  protected handlers() {
    return {
      openLocation: ({ index }: DiagnosisFromWebview["openLocation"]) => void this.open(index),
      copySnippet: ({ index }: DiagnosisFromWebview["copySnippet"]) => void this.copySnippet(index),
      applySnippet: ({ index }: DiagnosisFromWebview["applySnippet"]) => void this.applySnippet(index),
    };
  }

  private async copySnippet(index: number): Promise<void> {
    const snippet = this.result?.diagnosis[index]?.snippet;
    if (!snippet) return;
    await vscode.env.clipboard.writeText(snippet.yaml);
    vscode.window.setStatusBarMessage("Parity: the parity.yaml lines are on the clipboard.", 5000);
  }

  /** The fix's change to the run's parity.yaml, as one edit that Undo reverts, then saved. */
  private async applySnippet(index: number): Promise<void> {
    const snippet = this.result?.diagnosis[index]?.snippet;
    if (!snippet) return;
    const refusal = await applyProfileSnippet(this.run.workspaceDir, snippet.changes);
    if (refusal) void vscode.window.showWarningMessage(refusal);
    else
      void vscode.window.showInformationMessage(
        "Parity changed parity.yaml as the fix says (Edit > Undo in parity.yaml reverts it). Run the job again to use it.",
      );
  }

  /** Every load of the page (first, after a window reload, shown again if not retained): show, then follow the record. */
  protected onReady(): void {
    this.publish();
    this.record.start();
  }

  /** A hidden page not retained is gone: nothing to update until it is shown (and says ready) again. */
  protected override onHidden(): void {
    this.record.stop();
  }

  private failedToFollow(error: unknown): void {
    this.log(`Diagnosis of ${this.run.runId}: ${String(error)}`);
    this.error = failureMessage(
      `Parity could not read the record of run ${this.run.runId}`,
      error,
      "Close this panel and open the diagnosis again; if it keeps failing, the Parity output channel has the details.",
    );
    this.publish();
  }

  private async checkRecorded(): Promise<void> {
    if (this.result) return;
    if (!(await readRecordOf(this.run))) {
      this.error = `Run ${this.run.runId} has no record in ${path.join(this.run.workspaceDir, RUNS_DIR)} yet. It appears here once it starts.`;
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
      this.log(`Opening ${location.file}: ${String(error)}`);
      void vscode.window.showErrorMessage(
        failureMessage(
          `Parity could not open ${path.basename(location.file)}`,
          error,
          "Check that the notebook is still in the workspace, then open it from the Explorer.",
        ),
      );
    }
  }
}
