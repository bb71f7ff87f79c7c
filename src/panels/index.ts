import path from "node:path";
import * as vscode from "vscode";
import type { ReportRestoreState } from "../protocol/report";
import { webviewOptions } from "./basePanel";
import { DIAGNOSIS_VIEW_TYPE, DiagnosisPanel } from "./diagnosis/diagnosisPanel";
import { ENDPOINT_VIEW_TYPE, EndpointPanel, endpointTitle } from "./endpoint/endpointPanel";
import { LOGS_VIEW_TYPE, LogsPanel } from "./logs/logsPanel";
import { PIPELINE_VIEW_TYPE, PipelineRunPanel, pipelineTitle } from "./pipeline/pipelinePanel";
import { REPORT_VIEW_TYPE, ReportPanel, reportTitle } from "./report/reportPanel";
import { TUNING_VIEW_TYPE, TuningPanel, tuningTitle } from "./tuning/tuningPanel";
import { chooseRestoreRef, PanelMemory, restoreOf } from "./panelMemory";
import { parityPanelColumn } from "./panelGroup";
import { workspaceFolders } from "./applyFix";
import { asRunRef, readRecordNow, runDir, runRefInWorkspace, type RunRef } from "../app/store";
import type { ReportData } from "../services/reportStore";
import type { PanelOptions } from "./types";
export { applyParityEdit, applyProfileSnippet } from "./applyFix";
export {
  DIAGNOSIS_VIEW_TYPE,
  ENDPOINT_VIEW_TYPE,
  LOGS_VIEW_TYPE,
  PIPELINE_VIEW_TYPE,
  REPORT_VIEW_TYPE,
  TUNING_VIEW_TYPE,
};

/** What the registry needs of any panel. */
interface OpenPanel {
  reveal(): void;
  dispose(): void;
  onDidDispose(listener: () => void): void;
}

let options: PanelOptions | undefined;
let memory: PanelMemory | undefined;
/** One panel per notebook (report) or run (logs, diagnosis, run graph, tuning, endpoint). */
const open = new Map<string, OpenPanel>();

function requireOptions(): PanelOptions {
  if (!options) throw new Error("Parity's panels were used before registerPanels() was called.");
  return options;
}

/** The panel's key in `open`: its view type and what opens it (a RunRef, or a report's notebook). */
function keyOf(viewType: string, ref: unknown): string {
  return `${viewType}\u0000${JSON.stringify(ref)}`;
}

/** Registers an open panel, and remembers it for a window reload until it is closed. */
function track<T extends OpenPanel>(viewType: string, ref: unknown, panel: T): T {
  const key = keyOf(viewType, ref);
  open.set(key, panel);
  memory?.opened(viewType, ref);
  panel.onDidDispose(() => {
    if (open.get(key) !== panel) return;
    open.delete(key);
    memory?.closed(viewType, ref);
  });
  return panel;
}

/** "Logs: train.ipynb" from the run's record when there is one yet, else with the run id. */
function runTitle(prefix: string, run: RunRef): string {
  // Not recorded yet: the panel renames itself when it is.
  const notebook: unknown = readRecordNow(run)?.notebook;
  return typeof notebook === "string" ? `${prefix}: ${path.basename(notebook)}` : `${prefix}: ${run.runId}`;
}

/** The run graph's panel; its nodes open the logs and diagnosis panels of the steps' runs. */
function pipelinePanel(context: vscode.ExtensionContext, run: RunRef, panel: vscode.WebviewPanel): OpenPanel {
  return new PipelineRunPanel(panel, context, run, requireOptions(), (step, view) =>
    view === "logs" ? showLogsPanel(context, step) : showDiagnosisPanel(context, step),
  );
}

/** The tuning panel; a trial's links open the logs and diagnosis panels of its run. */
function tuningPanel(context: vscode.ExtensionContext, run: RunRef, panel: vscode.WebviewPanel): OpenPanel {
  return new TuningPanel(panel, context, run, requireOptions(), (trial, view) =>
    view === "logs" ? showLogsPanel(context, trial) : showDiagnosisPanel(context, trial),
  );
}

/**
 * The endpoint panel; its Open Logs is Show Endpoint Logs on its row, which first reads the lines a
 * detached endpoint printed since into its record.
 */
function endpointPanel(context: vscode.ExtensionContext, run: RunRef, panel: vscode.WebviewPanel): OpenPanel {
  return new EndpointPanel(panel, context, run, requireOptions(), (logs) => {
    const row = { kind: "endpoint", runId: logs.runId, dir: runDir(logs) };
    void vscode.commands.executeCommand("parity.showEndpointLogs", row);
  });
}

/** An endpoint panel's titles: by the endpoint's name once its record says it, else by its run id. */
function endpointTitles(run: RunRef): string[] {
  const name: unknown = readRecordNow(run)?.endpoint?.name;
  return [...(typeof name === "string" ? [endpointTitle(name)] : []), endpointTitle(run.runId)];
}

/** A run panel's titles, from its record when there is one yet, else with the run id. */
function recordTitles(title: (notebook: string) => string): (run: RunRef) => string[] {
  return (run) => {
    const notebook: unknown = readRecordNow(run)?.notebook;
    return [...(typeof notebook === "string" ? [title(notebook)] : []), title(run.runId)];
  };
}

const PANEL_TYPES: ReadonlySet<string> = new Set([
  REPORT_VIEW_TYPE,
  LOGS_VIEW_TYPE,
  DIAGNOSIS_VIEW_TYPE,
  PIPELINE_VIEW_TYPE,
  TUNING_VIEW_TYPE,
  ENDPOINT_VIEW_TYPE,
]);

/** The editor group that holds Parity's panels now (the user may have moved them), if one does. */
function panelGroupColumn(): vscode.ViewColumn | undefined {
  const webviewType = (tab: vscode.Tab | undefined) =>
    tab?.input instanceof vscode.TabInputWebview ? tab.input.viewType : undefined;
  const groups = vscode.window.tabGroups.all.map((group) => ({
    viewColumn: group.viewColumn,
    isActive: group.isActive,
    webviewTypes: group.tabs.flatMap((tab) => webviewType(tab) ?? []),
    activeWebviewType: webviewType(group.activeTab),
  }));
  return parityPanelColumn(groups, PANEL_TYPES);
}

/**
 * In the one group of Parity's panels, as a tab there; the first opens beside the notebook,
 * which stays in view. The logs panel, the run graph and the tuning panel (opened when a run
 * starts) leave the focus where it is.
 */
function createPanel(context: vscode.ExtensionContext, viewType: string, title: string): vscode.WebviewPanel {
  const preserveFocus =
    viewType === LOGS_VIEW_TYPE || viewType === PIPELINE_VIEW_TYPE || viewType === TUNING_VIEW_TYPE;
  const column = { viewColumn: panelGroupColumn() ?? vscode.ViewColumn.Beside, preserveFocus };
  return vscode.window.createWebviewPanel(viewType, title, column, webviewOptions(context));
}

/** A restored run panel's ref, when it is one and its run lies inside this window's workspace folders. */
function restoredRunRef(value: unknown): RunRef | undefined {
  const run = asRunRef(value);
  return run && runRefInWorkspace(run, workspaceFolders());
}

interface ReportRef {
  notebookFile: string;
}

function asReportRef(value: unknown): ReportRef | undefined {
  const notebookFile = (value as Partial<ReportRestoreState> | undefined)?.notebookFile;
  return typeof notebookFile === "string" ? { notebookFile } : undefined;
}

/**
 * A serializer that reopens a panel from the webview's saved state or, when its page never saved
 * one, from the panels the host remembers (see panelMemory.ts); a tab that fits neither is closed.
 */
function serializer<Ref>(
  viewType: string,
  parse: (value: unknown) => Ref | undefined,
  titlesOf: (ref: Ref) => string[],
  create: (ref: Ref, panel: vscode.WebviewPanel) => OpenPanel,
): vscode.WebviewPanelSerializer {
  return {
    deserializeWebviewPanel: async (panel, state) => {
      const ref = chooseRestoreRef({
        state,
        title: panel.title,
        remembered: memory?.remembered(viewType) ?? [],
        parse,
        titlesOf,
        isOpen: (candidate) => open.has(keyOf(viewType, candidate)),
      });
      if (!ref) {
        requireOptions().log(
          `Closed a restored ${viewType} panel ("${panel.title}"): nothing says what it showed.`,
        );
        return panel.dispose();
      }
      if (restoreOf(state) === undefined)
        requireOptions().log(
          `Restored the ${viewType} panel "${panel.title}" from the panels open before the reload.`,
        );
      track(viewType, ref, create(ref, panel));
    },
  };
}

/** Where registerPanels hands each view type's serializer. */
export type RegisterSerializer = (
  viewType: string,
  serializer: vscode.WebviewPanelSerializer,
) => vscode.Disposable;

/**
 * Restores the panels of the last session after a window reload. `register` takes each view
 * type's serializer: the extension's host hands it to the one registered at activation, which
 * loaded this bundle on first use (see src/extension.ts).
 */
export function registerPanels(
  context: vscode.ExtensionContext,
  panelOptions: PanelOptions,
  register: RegisterSerializer,
): void {
  options = panelOptions;
  memory = new PanelMemory(context.workspaceState, panelOptions.log);
  const runTitles = (prefix: string) => (run: RunRef) => [runTitle(prefix, run), `${prefix}: ${run.runId}`];
  context.subscriptions.push(
    register(
      REPORT_VIEW_TYPE,
      serializer(
        REPORT_VIEW_TYPE,
        asReportRef,
        (ref) => [reportTitle(ref.notebookFile)],
        ({ notebookFile }, panel) => {
          const report = new ReportPanel(panel, context, notebookFile, requireOptions());
          void report.recompute("Checking parity...");
          return report;
        },
      ),
    ),
    register(
      LOGS_VIEW_TYPE,
      serializer(
        LOGS_VIEW_TYPE,
        restoredRunRef,
        runTitles("Logs"),
        (run, panel) => new LogsPanel(panel, context, run, requireOptions()),
      ),
    ),
    register(
      DIAGNOSIS_VIEW_TYPE,
      serializer(
        DIAGNOSIS_VIEW_TYPE,
        restoredRunRef,
        runTitles("Diagnosis"),
        (run, panel) => new DiagnosisPanel(panel, context, run, requireOptions()),
      ),
    ),
    register(
      PIPELINE_VIEW_TYPE,
      serializer(PIPELINE_VIEW_TYPE, restoredRunRef, recordTitles(pipelineTitle), (run, panel) =>
        pipelinePanel(context, run, panel),
      ),
    ),
    register(
      TUNING_VIEW_TYPE,
      serializer(TUNING_VIEW_TYPE, restoredRunRef, recordTitles(tuningTitle), (run, panel) =>
        tuningPanel(context, run, panel),
      ),
    ),
    register(
      ENDPOINT_VIEW_TYPE,
      serializer(ENDPOINT_VIEW_TYPE, restoredRunRef, endpointTitles, (run, panel) =>
        endpointPanel(context, run, panel),
      ),
    ),
    {
      // The window is closing or reloading: its panels stay remembered for the next session.
      dispose: () => {
        memory?.freeze();
        [...open.values()].forEach((panel) => panel.dispose());
      },
    },
  );
}

/** Opens the report panel of a notebook, or shows the new report in the one already open. */
export function showReportPanel(context: vscode.ExtensionContext, data: ReportData): void {
  const ref: ReportRef = { notebookFile: data.notebookFile };
  const existing = open.get(keyOf(REPORT_VIEW_TYPE, ref)) as ReportPanel | undefined;
  const panel =
    existing ??
    track(
      REPORT_VIEW_TYPE,
      ref,
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
export function showLogsPanel(context: vscode.ExtensionContext, asked: RunRef): void {
  const run = checkedRunRef(asked, "logs");
  if (!run) return;
  showRunPanel(LOGS_VIEW_TYPE, run, () => {
    const panel = createPanel(context, LOGS_VIEW_TYPE, runTitle("Logs", run));
    return new LogsPanel(panel, context, run, requireOptions());
  });
}

/** Opens (or reveals) the diagnosis panel of a run. */
export function showDiagnosisPanel(context: vscode.ExtensionContext, asked: RunRef): void {
  const run = checkedRunRef(asked, "diagnosis");
  if (!run) return;
  showRunPanel(DIAGNOSIS_VIEW_TYPE, run, () => {
    const panel = createPanel(context, DIAGNOSIS_VIEW_TYPE, runTitle("Diagnosis", run));
    return new DiagnosisPanel(panel, context, run, requireOptions());
  });
}

/** Opens (or reveals) the run graph of a pipeline run. */
export function showPipelineRunPanel(context: vscode.ExtensionContext, asked: RunRef): void {
  const run = checkedRunRef(asked, "run graph");
  if (!run) return;
  showRunPanel(PIPELINE_VIEW_TYPE, run, () => {
    const notebook: unknown = readRecordNow(run)?.notebook;
    const title = pipelineTitle(typeof notebook === "string" ? notebook : run.runId);
    return pipelinePanel(context, run, createPanel(context, PIPELINE_VIEW_TYPE, title));
  });
}

/** Opens (or reveals) the tuning panel of an experiment. */
export function showTuningPanel(context: vscode.ExtensionContext, asked: RunRef): void {
  const run = checkedRunRef(asked, "experiment");
  if (!run) return;
  showRunPanel(TUNING_VIEW_TYPE, run, () => {
    const notebook: unknown = readRecordNow(run)?.notebook;
    const title = tuningTitle(typeof notebook === "string" ? notebook : run.runId);
    return tuningPanel(context, run, createPanel(context, TUNING_VIEW_TYPE, title));
  });
}

/** Opens (or reveals) the panel of an endpoint. */
export function showEndpointPanel(context: vscode.ExtensionContext, asked: RunRef): void {
  const run = checkedRunRef(asked, "endpoint");
  if (!run) return;
  showRunPanel(ENDPOINT_VIEW_TYPE, run, () =>
    endpointPanel(context, run, createPanel(context, ENDPOINT_VIEW_TYPE, endpointTitles(run)[0]!)),
  );
}

/** The run asked for, when it is a run of this window's workspace; else says why not and returns undefined. */
function checkedRunRef(asked: RunRef, what: string): RunRef | undefined {
  const run = asRunRef(asked);
  const checked = run && runRefInWorkspace(run, workspaceFolders());
  if (checked) return checked;
  requireOptions().log(
    `Refused to open the ${what} of ${JSON.stringify(asked)}: not a run of this workspace.`,
  );
  void vscode.window.showErrorMessage(
    `Parity did not open the ${what} of run ${String(asked.runId)}: its record is not in a .parity/runs folder inside this window's workspace folders. Open the folder that holds the run (File > Open Folder), then open it from the Runs view.`,
  );
  return undefined;
}

function showRunPanel(viewType: string, run: RunRef, create: () => OpenPanel): void {
  const ref: RunRef = { workspaceDir: run.workspaceDir, runId: run.runId };
  const existing = open.get(keyOf(viewType, ref));
  if (existing) existing.reveal();
  else track(viewType, ref, create());
}

/** Whether a panel of the run is open (of `viewType`: LOGS_VIEW_TYPE...), shown or behind another tab. */
export function isPanelOpen(viewType: string, run: RunRef): boolean {
  return open.has(keyOf(viewType, { workspaceDir: run.workspaceDir, runId: run.runId }));
}
