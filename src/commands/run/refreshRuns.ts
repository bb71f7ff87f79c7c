import type { RunsView } from "../../views/runs/runsView";

/** Parity: Refresh — reads the run records again (the view also follows Docker and the files). */
export function refreshRuns(runsView: RunsView): void {
  runsView.refresh();
}
