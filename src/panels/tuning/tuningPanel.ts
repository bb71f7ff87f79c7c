import path from "node:path";
import * as vscode from "vscode";
import type { RunRef } from "../../app/store";
import type { RunResult } from "../../core/job/types";
import { failureMessage } from "../../core/presentation/messages";
import {
  tuningFromWebview,
  type ApplyOutcome,
  type TrialView,
  type TuningFromWebview,
  type TuningToWebview,
} from "../../protocol/tuning";
import { BasePanel } from "../basePanel";
import { RecordFollower } from "../recordFollower";
import type { PanelOptions } from "../types";
import { applyBestParameters } from "./applyBest";
import { tuningViewState } from "./tuningView";

export const TUNING_VIEW_TYPE = "parity.tuning";

/** "Tuning: train.ipynb" */
export function tuningTitle(notebook: string): string {
  return `Tuning: ${path.basename(notebook)}`;
}

/**
 * An experiment, live: its trials table, the objective per trial with the best so far, and the
 * parameters against the objective, following the experiment's record on disk (whoever writes it:
 * this window, the CLI, another window). A trial's links open its run's logs or diagnosis; Apply
 * Best Parameters writes the best trial's values into the notebook's parameters cell.
 */
export class TuningPanel extends BasePanel<TuningToWebview, TuningFromWebview> {
  private result?: RunResult;
  private error?: string;
  private applying = false;
  private readonly record: RecordFollower;

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    readonly run: RunRef,
    options: PanelOptions,
    /** Opens the logs or the diagnosis panel of a trial's run. */
    private readonly openRun: (run: RunRef, view: TrialView) => void,
  ) {
    super(panel, context, "tuning", tuningFromWebview, options.log);
    this.record = new RecordFollower(run, {
      onRun: (result) => this.show(result),
      onError: (error) => this.failedToFollow(error),
    });
    this.load(run, tuningViewState({ runId: run.runId }));
    this.disposables.push({ dispose: () => this.record.stop() });
  }

  protected handlers() {
    return {
      openTrial: ({ name, view }: TuningFromWebview["openTrial"]) => this.openTrial(name, view),
      applyBest: () => void this.applyBest(),
    };
  }

  /** Only a trial of this experiment's record, and only its own run in the same workspace's records. */
  private openTrial(name: string, view: TrialView): void {
    const runId = this.result?.experiment?.trials.find((trial) => trial.name === name)?.runId;
    if (!runId) return;
    this.openRun({ workspaceDir: this.run.workspaceDir, runId }, view);
  }

  private async applyBest(): Promise<void> {
    const best = this.result?.experiment?.best;
    if (this.applying || !best || !this.result) return;
    this.applying = true;
    let outcome: ApplyOutcome;
    try {
      outcome = await applyBestParameters(this.result.notebook, best);
    } catch (error) {
      this.log(`Tuning panel of ${this.run.runId}: applying the best parameters: ${String(error)}`);
      outcome = {
        ok: false,
        message: failureMessage(
          "Parity could not write the best parameters",
          error,
          "The Parity output channel says why.",
        ),
      };
    } finally {
      this.applying = false;
    }
    this.log(`Tuning panel of ${this.run.runId}: ${outcome.message}`);
    if (!this.isDisposed) this.messenger.send("applied", outcome);
  }

  /** Every load of the page (first, after a window reload, shown again if not retained): show, then follow the record. */
  protected onReady(): void {
    this.publish();
    this.record.start();
  }

  protected override onHidden(): void {
    this.record.stop();
  }

  private failedToFollow(error: unknown): void {
    this.log(`Tuning panel of ${this.run.runId}: ${String(error)}`);
    this.error = failureMessage(
      `Parity could not read the record of experiment ${this.run.runId}`,
      error,
      "Close this panel and open the experiment again from the Experiments view.",
    );
    this.publish();
  }

  private show(result: RunResult): void {
    this.result = result;
    this.error = undefined;
    this.panel.title = tuningTitle(result.notebook);
    this.publish();
  }

  private publish(): void {
    if (this.isDisposed) return;
    const state = tuningViewState({ runId: this.run.runId, record: this.result });
    this.messenger.sendLatest("state", this.error ? { ...state, error: this.error } : state);
  }
}
