import type { ClusterRunRef } from "../../core/job/types";

/** A workload a Cluster view row stands for, found as a run records it: enough for Delete Cluster Run. */
export interface WorkloadRef extends Omit<ClusterRunRef, "imageDelivery"> {
  /** Its parity.dev/run label, when it has one. */
  runId?: string;
}

/** A row of the Cluster view, made by the vscode-free model and shown as a tree item. */
export interface ClusterRow {
  /** Stable across refreshes, so expansion and selection survive. */
  id: string;
  label: string;
  description?: string;
  tooltip: string;
  contextValue: string;
  icon: { id: string; color?: string };
  /** Sections always have a list (maybe empty); other rows only when they have rows below. */
  children?: ClusterRow[];
  expanded?: boolean;
  /** A click runs this command with this row. */
  command?: string;
  /** Select Cluster Context / Namespace: what a click chooses. */
  choice?: string;
  workload?: WorkloadRef;
}

export function isClusterRow(value: unknown): value is ClusterRow {
  return (
    typeof value === "object" && value !== null && "id" in value && "contextValue" in value && "icon" in value
  );
}
