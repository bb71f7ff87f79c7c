import path from "node:path";
import * as vscode from "vscode";
import type { SessionContext } from "../targets/session";
import type { ReportData } from "../panels/types";
import { ActiveNotebook } from "./activeNotebook";
import { ActiveRuns } from "./activeRuns";
import { ClusterReattach } from "./clusterReattach";
import { CheckFlights } from "./checkFlights";
import { ClusterStatus } from "./clusterStatus";
import { loadHeavy, type Heavy } from "./loadHeavy";
import { ReportStore } from "./reportStore";
import { sessionEnv, userScopedValue } from "./settings";

type Panels = typeof import("../panels");

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
  private reattach?: ClusterReattach;

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

  /** Follows again, once each, cluster runs whose follower went away (see ClusterReattach). */
  get clusterReattach(): ClusterReattach {
    this.reattach ??= new ClusterReattach({
      activeRuns: this.activeRuns,
      heavy: () => this.heavy(),
      log: (message) => this.log(message),
      env: process.env,
    });
    return this.reattach;
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

  heavy(): Promise<Heavy> {
    return loadHeavy();
  }

  panels(): Promise<Panels> {
    return import("../panels");
  }

  /** What the shared session flow needs: reports name files relative to the notebook's workspace folder. */
  sessionContext(notebookFile: string, signal: AbortSignal): SessionContext {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(notebookFile));
    return {
      env: sessionEnv(process.env, this.userSetting<string>("docker.host")),
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
