import { Emitter, type Disposable } from "../core/events";
import type { ReportData } from "../panels/types";
import type { NotebookState } from "../views/environment/environmentModel";

/** A notebook's parity as last checked, with the panel's data once there is a report. */
export type StoredParity = NotebookState & { data?: ReportData };

export class ReportStore implements Disposable {
  private readonly states = new Map<string, StoredParity>();
  private readonly changed = new Emitter<string>();
  /** Fires with the notebook file whose parity changed. */
  readonly onDidChange = this.changed.event;

  get(notebookFile: string): StoredParity {
    return this.states.get(notebookFile) ?? { kind: "unchecked" };
  }

  checking(notebookFile: string): void {
    this.set(notebookFile, { ...this.get(notebookFile), kind: "checking" } as StoredParity);
  }

  checked(data: ReportData): void {
    this.set(data.notebookFile, { kind: "checked", report: data.report, data });
  }

  failed(notebookFile: string, message: string): void {
    this.set(notebookFile, { kind: "failed", message, data: this.get(notebookFile).data });
  }

  /** Back to the last report after a cancelled check. */
  restore(notebookFile: string, previous: StoredParity): void {
    this.set(notebookFile, previous);
  }

  /** Forgets every report (they were made under other conditions, e.g. before the workspace was trusted). */
  clear(): void {
    const files = [...this.states.keys()];
    this.states.clear();
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
