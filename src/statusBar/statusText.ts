import type { TargetName } from "../core/job/types";
import { TARGET_LABELS } from "../core/presentation/targets";
import { notebookStatus, notebookStatusDetails, type ReportCounts } from "../core/presentation/counts";

/** Where the active notebook's parity stands, as the status bar shows it. */
export type NotebookParity =
  | { kind: "none" }
  | { kind: "unchecked" }
  | { kind: "checking" }
  | { kind: "checked"; report: ReportCounts }
  | { kind: "failed" };

export interface StatusText {
  text: string;
  tooltip: string;
}

/** "$(beaker) Parity: local · 2 mismatches", with a tooltip that says what a click does. */
export function statusText(target: string, state: NotebookParity, notebookName?: string): StatusText {
  const of = notebookName ? ` of ${notebookName}` : "";
  const open = "Click to open the parity report.";
  switch (state.kind) {
    case "none":
      return {
        text: `$(beaker) Parity: ${target}`,
        tooltip: `Parity: jobs run on ${targetWords(target)}. Open a notebook to check its parity with production.`,
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
    case "checked":
      return {
        text: `$(beaker) Parity: ${target} · ${notebookStatus(state.report)}`,
        tooltip: `Parity${of}: ${notebookStatusDetails(state.report).join(" ")} ${open}`,
      };
  }
}

/** "local Docker", "the cluster · kwok/team-a": the target item's words in a sentence. */
function targetWords(target: string): string {
  const [name = "", ...where] = target.split(" · ");
  const label = Object.hasOwn(TARGET_LABELS, name) ? TARGET_LABELS[name as TargetName] : `the ${name}`;
  return [label, ...where].join(" · ");
}
