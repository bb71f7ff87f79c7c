import { readFileSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type { ReportRestoreState } from "../protocol/report";
import { webviewOptions } from "./basePanel";
import { DIAGNOSIS_VIEW_TYPE, DiagnosisPanel } from "./diagnosis/diagnosisPanel";
import { LOGS_VIEW_TYPE, LogsPanel, runDir } from "./logs/logsPanel";
import { REPORT_VIEW_TYPE, ReportPanel, reportTitle } from "./report/reportPanel";
import { asRunRef, type PanelOptions, type ReportData, type RunRef } from "./types";

export type { PanelOptions, ReportData, RunRef } from "./types";
export { applyParityEdit, reportBaseDirs } from "./applyFix";
export { DIAGNOSIS_VIEW_TYPE, LOGS_VIEW_TYPE, REPORT_VIEW_TYPE };

/** What the registry needs of any panel. */
interface OpenPanel {
  reveal(): void;
  dispose(): void;
  onDidDispose(listener: () => void): void;
}

let options: PanelOptions | undefined;
/** One panel per notebook (report) or run (logs, diagnosis). */
const open = new Map<string, OpenPanel>();

function requireOptions(): PanelOptions {
  if (!options) throw new Error("Parity's panels were used before registerPanels() was called.");
  return options;
}

function runKey(viewType: string, run: RunRef): string {
  return `${viewType}\u0000${run.workspaceDir}\u0000${run.runId}`;
}

function track<T extends OpenPanel>(key: string, panel: T): T {
  open.set(key, panel);
  panel.onDidDispose(() => {
    if (open.get(key) === panel) open.delete(key);
  });
  return panel;
}

/** "Logs: train.ipynb" from the run's record when there is one yet, else with the run id. */
function runTitle(prefix: string, run: RunRef): string {
  try {
    const { notebook } = JSON.parse(readFileSync(path.join(runDir(run), "run.json"), "utf8")) as {
      notebook?: unknown;
    };
    if (typeof notebook === "string") return `${prefix}: ${path.basename(notebook)}`;
  } catch {
    // Not recorded yet: the panel renames itself when it is.
  }
  return `${prefix}: ${run.runId}`;
}

/** Beside the notebook, which stays in view; the logs panel (opened when a run starts) leaves the focus there too. */
function createPanel(context: vscode.ExtensionContext, viewType: string, title: string): vscode.WebviewPanel {
  const column = { viewColumn: vscode.ViewColumn.Beside, preserveFocus: viewType === LOGS_VIEW_TYPE };
  return vscode.window.createWebviewPanel(viewType, title, column, webviewOptions(context));
}

/** What the webview saved for a reload (see webview-ui/src/lib/host.ts): `{ restore, ui }`. */
function restoreOf(state: unknown): unknown {
  return typeof state === "object" && state !== null ? (state as { restore?: unknown }).restore : undefined;
}

/** Restores the panels of the last session after a window reload. */
export function registerPanels(context: vscode.ExtensionContext, panelOptions: PanelOptions): void {
  options = panelOptions;
  const restoreRun = (viewType: string, create: (run: RunRef, panel: vscode.WebviewPanel) => OpenPanel) => ({
    deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
      const run = asRunRef(restoreOf(state));
      if (!run || open.has(runKey(viewType, run))) return panel.dispose();
      track(runKey(viewType, run), create(run, panel));
    },
  });
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const notebookFile = (restoreOf(state) as Partial<ReportRestoreState> | undefined)?.notebookFile;
        const key = `${REPORT_VIEW_TYPE}\u0000${notebookFile}`;
        if (typeof notebookFile !== "string" || open.has(key)) return panel.dispose();
        const report = track(key, new ReportPanel(panel, context, notebookFile, requireOptions()));
        void report.recompute("Checking parity...");
      },
    }),
    vscode.window.registerWebviewPanelSerializer(
      LOGS_VIEW_TYPE,
      restoreRun(LOGS_VIEW_TYPE, (run, panel) => new LogsPanel(panel, context, run, requireOptions())),
    ),
    vscode.window.registerWebviewPanelSerializer(
      DIAGNOSIS_VIEW_TYPE,
      restoreRun(
        DIAGNOSIS_VIEW_TYPE,
        (run, panel) => new DiagnosisPanel(panel, context, run, requireOptions()),
      ),
    ),
    { dispose: () => [...open.values()].forEach((panel) => panel.dispose()) },
  );
}

/** Opens the report panel of a notebook, or shows the new report in the one already open. */
export function showReportPanel(context: vscode.ExtensionContext, data: ReportData): void {
  const key = `${REPORT_VIEW_TYPE}\u0000${data.notebookFile}`;
  const existing = open.get(key) as ReportPanel | undefined;
  const panel =
    existing ??
    track(
      key,
      new ReportPanel(
        createPanel(context, REPORT_VIEW_TYPE, reportTitle(data.notebookFile)),
        context,
        data.notebookFile,
        requireOptions(),
      ),
    );
  panel.show(data);
  if (existing) panel.reveal();
}

/** Opens (or reveals) the logs panel of a run. */
export function showLogsPanel(context: vscode.ExtensionContext, run: RunRef): void {
  showRunPanel(LOGS_VIEW_TYPE, run, () => {
    const panel = createPanel(context, LOGS_VIEW_TYPE, runTitle("Logs", run));
    return new LogsPanel(panel, context, run, requireOptions());
  });
}

/** Opens (or reveals) the diagnosis panel of a run. */
export function showDiagnosisPanel(context: vscode.ExtensionContext, run: RunRef): void {
  showRunPanel(DIAGNOSIS_VIEW_TYPE, run, () => {
    const panel = createPanel(context, DIAGNOSIS_VIEW_TYPE, runTitle("Diagnosis", run));
    return new DiagnosisPanel(panel, context, run, requireOptions());
  });
}

function showRunPanel(viewType: string, run: RunRef, create: () => OpenPanel): void {
  const key = runKey(viewType, run);
  const existing = open.get(key);
  if (existing) existing.reveal();
  else track(key, create());
}
