import type { Environment } from "../core/environment/types";
import { Emitter, type Disposable } from "../core/events";
import type { ParityReport } from "../core/parity";
import type { ReportSources } from "../app/job/session";

/** A notebook's parity report with the environments it compared: what the report panel shows. */
export interface ReportData {
  notebookFile: string;
  profileFile?: string;
  imageTag?: string;
  report: ParityReport;
  local?: Environment;
  image?: Environment;
  /** The files and run records the report was made from; absent in a report restored from an older window. */
  sources?: ReportSources;
}

/** Where a notebook's parity check stands in this window. */
export type NotebookState =
  | { kind: "unchecked" }
  | { kind: "checking" }
  | { kind: "failed"; message: string }
  | { kind: "checked"; report: ParityReport };

/** A notebook's parity as last checked, with the panel's data once there is a report. */
export type StoredParity = NotebookState & { data?: ReportData };

export class ReportStore implements Disposable {
  private readonly states = new Map<string, StoredParity>();
  /** Where each notebook stood before its running check, to go back to if it is cancelled. */
  private readonly beforeCheck = new Map<string, StoredParity>();
  private readonly changed = new Emitter<string>();
  /** Fires with the notebook file whose parity changed. */
  readonly onDidChange = this.changed.event;

  get(notebookFile: string): StoredParity {
    return this.states.get(notebookFile) ?? { kind: "unchecked" };
  }

  checking(notebookFile: string): void {
    const current = this.get(notebookFile);
    if (current.kind !== "checking") this.beforeCheck.set(notebookFile, current);
    this.set(notebookFile, { ...current, kind: "checking" } as StoredParity);
  }

  checked(data: ReportData): void {
    this.set(data.notebookFile, { kind: "checked", report: data.report, data });
  }

  failed(notebookFile: string, message: string): void {
    this.set(notebookFile, { kind: "failed", message, data: this.get(notebookFile).data });
  }

  /** Back to where it stood before checking (the last report, if any) after a cancelled check. */
  cancelled(notebookFile: string): void {
    this.set(notebookFile, this.beforeCheck.get(notebookFile) ?? { kind: "unchecked" });
  }

  /** Forgets every report (they were made under other conditions, e.g. before the workspace was trusted). */
  clear(): void {
    const files = [...this.states.keys()];
    this.states.clear();
    this.beforeCheck.clear();
    files.forEach((file) => this.changed.fire(file));
  }

  private set(notebookFile: string, state: StoredParity): void {
    this.states.set(notebookFile, state);
    this.changed.fire(notebookFile);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
