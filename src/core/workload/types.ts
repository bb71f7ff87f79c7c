import type { RunResult, RunStatus, TargetName } from "../job/types";
import type { WorkloadKind } from "./kind";

export type { WorkloadKind };

/** What every workload has, whatever its kind: the Runs view, the store and reconciliation read this. */
export interface Workload {
  id: string;
  kind: WorkloadKind;
  target: TargetName;
  status: RunStatus;
  /** The workload this one is part of. */
  parent?: string;
  /** Its parts' ids, in order. */
  children: string[];
}

/** The workload a record is of; records written before kinds are job runs. */
export function workloadOf(record: RunResult): Workload {
  return {
    id: record.runId,
    kind: record.kind ?? "job",
    target: record.target,
    status: record.status,
    ...(record.parent ? { parent: record.parent } : {}),
    children: record.children ?? [],
  };
}
