import path from "node:path";
import * as vscode from "vscode";
import { isCancelled } from "../core/errors";
import { Debouncer } from "./refresh";
import type { Services } from "./container";
import { computeReport } from "./computeReport";

/** Every run record of the workspace; a notebook's report keeps those of its project. */
const RUN_RECORDS = "**/.parity/runs/*/run.json";

/** How long a burst of changes (a save, a run's records) settles before the report is made again. */
const SETTLE_MS = 1_000;

interface Watched {
  /** The files and folder watched, to tell whether a new report needs other watchers. */
  key: string;
  watchers: vscode.Disposable[];
  debouncer: Debouncer;
  controller?: AbortController;
  /** Why the report is made again (the last change seen), for the log. */
  reason?: string;
}

/**
 * Keeps every checked notebook's report true to the files it was made from: the notebook, its
 * profile, its requirements and the files they include, and its run records (a run that ends
 * OOMKilled changes what the report says). A change to any of them makes the report again, once
 * the burst settles. File watchers, not polling.
 */
export class ReportFreshness implements vscode.Disposable {
  private readonly watched = new Map<string, Watched>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly services: Services) {
    this.subscriptions = [
      services.reports.onDidChange((notebookFile) => this.follow(notebookFile)),
      // A run of this window is known to have ended without waiting for the file watcher (whose
      // first events can be missed while it starts); runs of other processes reach it through the watcher.
      services.activeRuns.onDidEnd((run) => {
        const entry = this.watched.get(run.notebookFile);
        if (!entry) return;
        entry.reason = `${run.runId ?? run.key} ended`;
        entry.debouncer.trigger();
      }),
    ];
  }

  private follow(notebookFile: string): void {
    const state = this.services.reports.get(notebookFile);
    const sources = state.data?.sources;
    if (state.kind === "unchecked" || !sources) {
      this.forget(notebookFile);
      return;
    }
    const key = JSON.stringify(sources);
    if (this.watched.get(notebookFile)?.key === key) return;
    this.forget(notebookFile);
    const entry: Watched = {
      key,
      watchers: [],
      debouncer: new Debouncer(() => this.recheck(notebookFile, entry), SETTLE_MS),
    };
    const runs = path.join(sources.workspaceDir, ".parity", "runs") + path.sep;
    const changed = (uri: vscode.Uri): void => {
      entry.reason = `${uri.fsPath} changed`;
      entry.debouncer.trigger();
    };
    const patterns: vscode.GlobPattern[] = [
      ...sources.files.map((file) => new vscode.RelativePattern(path.dirname(file), path.basename(file))),
      // As the Runs view watches records (a RelativePattern below a folder that does not exist yet
      // is not reported in code-server), keeping those of this notebook's project.
      RUN_RECORDS,
    ];
    for (const pattern of patterns) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      const filtered = (uri: vscode.Uri): void => {
        if (pattern !== RUN_RECORDS || uri.fsPath.startsWith(runs)) changed(uri);
      };
      entry.watchers.push(
        watcher,
        watcher.onDidCreate(filtered),
        watcher.onDidChange(filtered),
        watcher.onDidDelete(filtered),
      );
    }
    this.watched.set(notebookFile, entry);
  }

  private recheck(notebookFile: string, entry: Watched): void {
    if (this.watched.get(notebookFile) !== entry) return;
    entry.controller?.abort();
    const controller = new AbortController();
    entry.controller = controller;
    this.services.log(`${entry.reason ?? "A file changed"}: checking ${path.basename(notebookFile)} again.`);
    computeReport(this.services, notebookFile, controller.signal, () => undefined).catch((error: unknown) => {
      if (!isCancelled(error))
        this.services.log(
          `Checking ${path.basename(notebookFile)} again after a change: ${error instanceof Error ? error.message : String(error)}`,
        );
    });
  }

  private forget(notebookFile: string): void {
    const entry = this.watched.get(notebookFile);
    if (!entry) return;
    this.watched.delete(notebookFile);
    entry.debouncer.dispose();
    entry.controller?.abort();
    entry.watchers.forEach((watcher) => watcher.dispose());
  }

  dispose(): void {
    [...this.watched.keys()].forEach((file) => this.forget(file));
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
