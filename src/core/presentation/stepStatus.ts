import type { StepStatus } from "../pipeline/types";

/** The first word of a step's description in the Pipelines view and on its node in the run graph. */
export const STEP_STATUS_WORDS: Record<StepStatus, string> = {
  pending: "Pending",
  running: "Running",
  succeeded: "Succeeded",
  cached: "Cached",
  failed: "Failed",
  cancelled: "Cancelled",
  "not-run": "Not run",
};

/** A codicon id and its theme colour: the tree and the run graph show a step's state alike. */
export const STEP_STATUS_ICONS: Record<StepStatus, { id: string; color?: string }> = {
  pending: { id: "circle-outline" },
  running: { id: "sync~spin", color: "charts.blue" },
  succeeded: { id: "pass", color: "testing.iconPassed" },
  cached: { id: "history", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
  cancelled: { id: "circle-slash" },
  "not-run": { id: "debug-step-over", color: "disabledForeground" },
};
