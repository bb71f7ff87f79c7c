import path from "node:path";
import * as vscode from "vscode";
import type { LogLine, RunResult } from "../../core/job/types";
import {
  logsFromWebview,
  passesFilter,
  type LogFilter,
  type LogsFromWebview,
  type LogsToWebview,
  type LogsViewState,
} from "../../protocol/logs";
import { failureMessage } from "../../core/presentation/messages";
import { plainText } from "../../core/presentation/terminalText";
import { isFinished } from "../../core/workload/status";
import { BasePanel } from "../basePanel";
import type { PanelOptions } from "../types";
import { LineBatcher } from "./lineBatcher";
import { LogTail, readRunLogs, runDir, type RunRef } from "../../app/store";
import { readLogEnd, readLogRange } from "../../app/store/logRange";

export const LOGS_VIEW_TYPE = "parity.logs";

/** Lines of the log's end sent first: more than a screen, small enough to arrive at once. */
const END_LINES = 1000;
/** Lines in one post of the earlier part (the batcher's bound for new lines). */
const EARLIER_BATCH_LINES = 5000;

/** A run's output, followed live from logs.jsonl; the webview keeps, filters and searches it. */
export class LogsPanel extends BasePanel<LogsToWebview, LogsFromWebview> {
  private tail?: LogTail;
  private batcher?: LineBatcher;
  /** Reading the log for the page now loaded; aborted when it is dropped or the log replaced. */
  private loading?: AbortController;
  private result?: RunResult;

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    readonly run: RunRef,
    options: PanelOptions,
  ) {
    super(panel, context, "logs", logsFromWebview, options.log);
    const first: LogsViewState = { run: this.runInfo(), lines: [], lineCount: 0 };
    this.load(run, first);
    this.disposables.push({ dispose: () => this.stopFollowing() });
  }

  protected handlers() {
    return {
      copyVisible: ({ text, lines }: LogsFromWebview["copyVisible"]) =>
        void this.copy(text, lines).catch((error: unknown) => this.copyFailed(error)),
      copyAll: ({ filter }: LogsFromWebview["copyAll"]) =>
        void this.copyAll(filter).catch((error: unknown) => this.copyFailed(error)),
      save: ({ filter }: LogsFromWebview["save"]) => void this.save(filter),
    };
  }

  /**
   * Every load of the page (it drew its last screen from its saved state): the log's end first,
   * then what comes before it from the start, in the background, while new lines follow the end.
   */
  protected onReady(): void {
    this.stopFollowing();
    this.messenger.send("run", this.runInfo());
    const loading = new AbortController();
    this.loading = loading;
    void this.sendLog(loading.signal).catch((error: unknown) => {
      if (!loading.signal.aborted) this.failedToFollow(error);
    });
  }

  private async sendLog(signal: AbortSignal): Promise<void> {
    const dir = runDir(this.run);
    const end = await readLogEnd(dir, END_LINES);
    if (signal.aborted) return;
    this.messenger.send("end", { lines: end.lines, earlier: end.start > 0 });
    const batcher = new LineBatcher({
      send: (lines) => this.panel.webview.postMessage({ type: "lines", payload: { lines } }),
    });
    this.batcher = batcher;
    this.tail = new LogTail(
      dir,
      {
        onLines: (lines) => batcher.push(lines),
        onRun: (result) => this.onRun(result),
        onReset: () => {
          // Replaced: the tail reads the new log from its start; what was loading is stale.
          this.loading?.abort();
          batcher.clear();
          this.messenger.send("reset", {});
        },
        onError: (error) => this.failedToFollow(error),
      },
      { fromOffset: end.end },
    );
    this.tail.start().catch((error: unknown) => this.failedToFollow(error));
    if (end.start === 0) return;
    try {
      await readLogRange(dir, 0, end.start, (lines) => this.sendEarlier(lines, signal), signal);
    } finally {
      // Read or not, the page stops waiting for the earlier part (it would say "loading…" for
      // ever); a failure is said by the notice (onReady).
      if (!signal.aborted) await this.postEarlier([], true);
    }
  }

  /** Earlier lines in bounded posts, each delivered before the next (as the batcher does). */
  private async sendEarlier(lines: LogLine[], signal: AbortSignal): Promise<void> {
    for (let from = 0; from < lines.length && !signal.aborted; from += EARLIER_BATCH_LINES)
      await this.postEarlier(lines.slice(from, from + EARLIER_BATCH_LINES), false);
  }

  private postEarlier(lines: LogLine[], done: boolean): Thenable<boolean> {
    return this.panel.webview.postMessage({ type: "earlier", payload: { lines, done } });
  }

  private failedToFollow(error: unknown): void {
    this.log(`Logs of ${this.run.runId}: ${String(error)}`);
    this.notice(
      failureMessage(
        `Parity stopped following the logs of run ${this.run.runId}`,
        error,
        "Close this panel and open the logs again.",
      ),
      true,
    );
  }

  protected override onHidden(): void {
    this.stopFollowing();
  }

  private stopFollowing(): void {
    this.loading?.abort();
    this.loading = undefined;
    this.tail?.stop();
    this.tail = undefined;
    this.batcher?.dispose();
    this.batcher = undefined;
  }

  private onRun(result: RunResult): void {
    this.result = result;
    this.panel.title = `Logs: ${path.basename(result.notebook)}`;
    this.messenger.send("run", this.runInfo());
  }

  private runInfo(): LogsToWebview["run"] {
    const status = this.result?.status ?? "pending";
    return {
      runId: this.run.runId,
      notebookName: this.result ? path.basename(this.result.notebook) : this.run.runId,
      status,
      live: !isFinished(status),
    };
  }

  private async copy(text: string, lines: number): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    this.notice(`Copied ${lines} visible ${lines === 1 ? "line" : "lines"}.`);
  }

  private copyFailed(error: unknown): void {
    this.log(`Copying the logs of ${this.run.runId}: ${String(error)}`);
    this.notice(
      failureMessage("The lines could not be copied", error, "Try again, or keep them with Save."),
      true,
    );
  }

  private async copyAll(filter: LogFilter): Promise<void> {
    const { text, count } = await this.recordedText(filter);
    await vscode.env.clipboard.writeText(text);
    this.notice(`Copied ${count} ${count === 1 ? "line" : "lines"}.`);
  }

  private async save(filter: LogFilter): Promise<void> {
    const name = `${this.result ? path.parse(this.result.notebook).name : "run"}-${this.run.runId}.log`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(this.run.workspaceDir, name)),
      filters: { Logs: ["log", "txt"] },
      saveLabel: "Save Logs",
    });
    if (!target) return;
    try {
      const { text, count } = await this.recordedText(filter);
      await vscode.workspace.fs.writeFile(target, Buffer.from(text, "utf8"));
      this.notice(`Saved ${count} ${count === 1 ? "line" : "lines"} to ${path.basename(target.fsPath)}.`);
    } catch (error) {
      this.log(`Saving the logs of ${this.run.runId} to ${target.fsPath}: ${String(error)}`);
      this.notice(
        failureMessage(
          `The logs could not be saved to ${path.basename(target.fsPath)}`,
          error,
          "Pick another folder and try again.",
        ),
        true,
      );
    }
  }

  /** Every recorded line that passes the filter, without terminal colours. */
  private async recordedText(filter: LogFilter): Promise<{ text: string; count: number }> {
    const lines = (await readRunLogs({ dir: runDir(this.run) }))
      .filter((line) => passesFilter(line, filter))
      .map((line) => plainText(line.text));
    return { text: lines.length > 0 ? `${lines.join("\n")}\n` : "", count: lines.length };
  }

  private notice(message: string, error = false): void {
    this.messenger.send("notice", { message, ...(error ? { error } : {}) });
  }
}
