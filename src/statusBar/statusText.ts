import type { ParityReport } from "../core/parity";

/** Where the active notebook's parity stands, as the status bar shows it. */
export type NotebookParity =
  | { kind: "none" }
  | { kind: "unchecked" }
  | { kind: "checking" }
  | { kind: "checked"; report: Pick<ParityReport, "errors" | "warnings" | "infos"> }
  | { kind: "failed" };

export interface StatusText {
  text: string;
  tooltip: string;
}

/** Errors and warnings are mismatches; notes are not. */
export function mismatchCount(report: Pick<ParityReport, "errors" | "warnings">): number {
  return report.errors + report.warnings;
}

/** "$(beaker) Parity: local · 2 mismatches", with a tooltip that says what a click does. */
export function statusText(target: string, state: NotebookParity, notebookName?: string): StatusText {
  const of = notebookName ? ` of ${notebookName}` : "";
  const open = "Click to open the parity report.";
  switch (state.kind) {
    case "none":
      return {
        text: `$(beaker) Parity: ${target}`,
        tooltip: `Parity: jobs run on ${target === "local" ? "local Docker" : target}. Open a notebook to check its parity with production.`,
      };
    case "unchecked":
      return {
        text: `$(beaker) Parity: ${target} · not checked`,
        tooltip: `Parity: the environment${of} has not been compared with production yet. ${open}`,
      };
    case "checking":
      return {
        text: `$(sync~spin) Parity: ${target} · checking`,
        tooltip: `Parity: comparing the environment${of} with production.`,
      };
    case "failed":
      return {
        text: `$(beaker) Parity: ${target} · check failed`,
        tooltip: `Parity: the last check${of} failed; the Parity output channel says why. ${open}`,
      };
    case "checked": {
      const count = mismatchCount(state.report);
      const summary =
        count === 0 ? "matches production" : `${count} ${count === 1 ? "mismatch" : "mismatches"}`;
      return {
        text: `$(beaker) Parity: ${target} · ${summary}`,
        tooltip: `Parity${of}: ${state.report.errors} errors, ${state.report.warnings} warnings, ${state.report.infos} notes. ${open}`,
      };
    }
  }
}
