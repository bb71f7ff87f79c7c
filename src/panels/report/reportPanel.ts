import path from "node:path";
import * as vscode from "vscode";
import {
  reportFromWebview,
  type ReportFromWebview,
  type ReportRestoreState,
  type ReportToWebview,
  type ReportViewState,
} from "../../protocol/report";
import { failureMessage } from "../../core/presentation/messages";
import { applyParityEdit, reportBaseDirs, resolveReportFile } from "../applyFix";
import { BasePanel } from "../basePanel";
import { openLocation } from "../openLocation";
import type { ReportData } from "../../services/reportStore";
import type { PanelOptions } from "../types";
import { reportViewState } from "./reportView";

export const REPORT_VIEW_TYPE = "parity.report";

export function reportTitle(notebookFile: string): string {
  return `Parity Report: ${path.basename(notebookFile)}`;
}

/** A notebook's parity report; fixes are applied as undoable edits, then the report is computed again. */
export class ReportPanel extends BasePanel<ReportToWebview, ReportFromWebview> {
  private data?: ReportData;
  private view?: ReportViewState;
  private status: { busy?: string; error?: string } = {};
  private computing?: AbortController;

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    readonly notebookFile: string,
    private readonly options: PanelOptions,
  ) {
    super(panel, context, "report", reportFromWebview, options.log);
    panel.title = reportTitle(notebookFile);
    const restore: ReportRestoreState = { notebookFile };
    this.load(restore);
    this.disposables.push({ dispose: () => this.computing?.abort() });
  }

  show(data: ReportData): void {
    this.data = data;
    this.view = reportViewState(data);
    this.status = {};
    this.publish();
  }

  /** Computes the report again (after a reload, after a fix, on request). */
  async recompute(busy = "Checking parity again..."): Promise<void> {
    this.computing?.abort();
    const controller = new AbortController();
    this.computing = controller;
    this.status = { busy };
    this.publish();
    try {
      const data = await this.options.computeReport(this.notebookFile, controller.signal);
      if (!controller.signal.aborted) this.show(data);
    } catch (error) {
      if (controller.signal.aborted) return;
      this.options.log(`Parity report for ${this.notebookFile}: ${String(error)}`);
      this.status = {
        error: failureMessage(
          `The parity report of ${path.basename(this.notebookFile)} could not be computed`,
          error,
          "Check the notebook and its parity.yaml, then press Check Again.",
        ),
      };
      this.publish();
    } finally {
      if (this.computing === controller) this.computing = undefined;
    }
  }

  protected handlers() {
    return {
      applyFix: ({ requestId, index }: ReportFromWebview["applyFix"]) => void this.applyFix(requestId, index),
      openLocation: ({ index }: ReportFromWebview["openLocation"]) => void this.open(index),
      refresh: () => void this.recompute(),
    };
  }

  protected onReady(): void {
    this.publish();
  }

  private publish(): void {
    const base: ReportViewState = this.view ?? {
      notebookName: path.basename(this.notebookFile),
      summary: "",
      verdict: "",
      basis: [],
      counts: { errors: 0, warnings: 0, infos: 0 },
      sections: [],
      items: [],
    };
    this.messenger.sendLatest("state", { ...base, ...this.status });
  }

  private async applyFix(requestId: number, index: number): Promise<void> {
    const item = this.data?.report.items[index];
    if (!item?.edit) {
      this.messenger.send("applied", {
        requestId,
        ok: false,
        message: "This fix cannot be applied any more; the report has changed.",
      });
      return;
    }
    try {
      const problem = await applyParityEdit(item.edit, {
        notebookFile: this.notebookFile,
        profileFile: this.data?.profileFile,
      });
      this.messenger.send("applied", {
        requestId,
        ok: !problem,
        message: problem ?? `${item.edit.title}: done.`,
      });
      if (!problem) await this.recompute("Fix applied; checking parity again...");
    } catch (error) {
      this.options.log(`Applying "${item.edit.title}": ${String(error)}`);
      this.messenger.send("applied", {
        requestId,
        ok: false,
        message: failureMessage(
          `The fix "${item.edit.title}" could not be applied`,
          error,
          `Make the change in ${path.basename(item.edit.file)} yourself, or press Check Again and apply it again.`,
        ),
      });
    }
  }

  private async open(index: number): Promise<void> {
    const location = this.data?.report.items[index]?.location;
    if (!location) return;
    try {
      const uri = await resolveReportFile(location.file, this.baseDirs());
      await openLocation({ ...location, file: uri.fsPath }, path.dirname(uri.fsPath));
    } catch (error) {
      this.options.log(`Opening ${location.file}: ${String(error)}`);
      void vscode.window.showErrorMessage(
        failureMessage(
          `Parity could not open ${location.file}`,
          error,
          "Check that the file is still there, then press Check Again to refresh the report.",
        ),
      );
    }
  }

  private baseDirs(): string[] {
    return reportBaseDirs(this.notebookFile, this.data?.profileFile);
  }
}
