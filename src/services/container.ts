import path from "node:path";
import * as vscode from "vscode";
import type { SessionContext } from "../app/context";
import { ActiveNotebook } from "./activeNotebook";
import { ActiveRuns } from "./activeRuns";
import { loadApp, type App } from "./app";
import { CheckFlights } from "./checkFlights";
import { kubeEnv } from "./clusterSettings";
import { ClusterStatus } from "./clusterStatus";
import { ReportStore, type ReportData } from "./reportStore";
import { RunRecovery } from "./runRecovery";
import { sessionEnv, userScopedValue } from "./settings";

/**
 * The extension's services: created when first asked for, disposed in reverse order of creation.
 * Nothing here touches Docker or the interpreter until a command or a visible view needs it.
 */
export class Services implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private outputChannel?: vscode.OutputChannel;
  private reportStore?: ReportStore;
  private checkFlights?: CheckFlights<ReportData>;
  private activeRunList?: ActiveRuns;
  private notebook?: ActiveNotebook;
  private cluster?: ClusterStatus;
  private recovery?: RunRecovery;

  constructor(readonly context: vscode.ExtensionContext) {}

  /** Keeps `disposable` until the extension is deactivated. */
  track<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  get output(): vscode.OutputChannel {
    this.outputChannel ??= this.track(vscode.window.createOutputChannel("Parity"));
    return this.outputChannel;
  }

  log(message: string): void {
    this.output.appendLine(message);
  }

  /** Parity reports of notebooks, as checked in this window. */
  get reports(): ReportStore {
    this.reportStore ??= this.track(new ReportStore());
    return this.reportStore;
  }

  /** The running parity check of each notebook, joined or superseded by the next. */
  get checks(): CheckFlights<ReportData> {
    this.checkFlights ??= new CheckFlights();
    return this.checkFlights;
  }

  /** Runs started from this window, while they build and run. */
  get activeRuns(): ActiveRuns {
    this.activeRunList ??= this.track(new ActiveRuns());
    return this.activeRunList;
  }

  /** Makes true, once each, the records of runs whose follower went away (see RunRecovery). */
  get runRecovery(): RunRecovery {
    this.recovery ??= new RunRecovery({
      activeRuns: this.activeRuns,
      app: () => this.app(),
      context: () => this.workspaceSessionContext(new AbortController().signal),
      log: (message) => this.log(message),
    });
    return this.recovery;
  }

  /** The notebook or script the user works on, kept while the focus is in a panel or view. */
  get activeNotebook(): ActiveNotebook {
    this.notebook ??= this.track(new ActiveNotebook());
    return this.notebook;
  }

  /** The cluster target as the Cluster view and this window's cluster runs see it. */
  get clusterStatus(): ClusterStatus {
    this.cluster ??= this.track(new ClusterStatus());
    return this.cluster;
  }

  /** The application layer (Docker, Kubernetes, the workflows), loaded on first use. */
  app(): Promise<App> {
    return loadApp();
  }

  /** What the shared session flow needs: reports name files relative to the notebook's workspace folder. */
  sessionContext(notebookFile: string, signal: AbortSignal): SessionContext {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(notebookFile));
    return {
      env: kubeEnv(sessionEnv(process.env, this.userSetting<string>("docker.host"))),
      cwd: folder?.uri.fsPath ?? path.dirname(notebookFile),
      signal,
    };
  }

  /** For Docker calls about no one notebook: the first workspace folder, else the extension host's folder. */
  workspaceSessionContext(signal: AbortSignal): SessionContext {
    return this.sessionContext(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(), signal);
  }

  /** The user's interpreter for parity reports; a workspace cannot set it. */
  python(): string | undefined {
    return this.userSetting<string>("python")?.trim() || undefined;
  }

  setting<T>(key: string, fallback: T): T {
    return vscode.workspace.getConfiguration("parity").get<T>(key, fallback);
  }

  private userSetting<T>(key: string): T | undefined {
    return userScopedValue(vscode.workspace.getConfiguration("parity").inspect<T>(key));
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
  }
}
