import type { ClusterRunRef } from "../../job/types";
import type { Diagnosis } from "../types";

/**
 * Why a run attached to again ended "cancelled" without being followed to its end: its workload
 * was deleted while no Parity process followed it, or the name now belongs to another workload.
 */
export function workloadGoneDiagnosis(
  ref: ClusterRunRef,
  why: "deleted" | "replaced",
  runId: string,
): Diagnosis {
  const what = `${ref.kind} ${ref.name} in namespace ${ref.namespace} (context ${ref.context})`;
  return {
    code: why === "deleted" ? "WorkloadDeleted" : "WorkloadReplaced",
    severity: "warning",
    message:
      why === "deleted"
        ? `The ${what} was deleted while no Parity window or command followed it, so how it ended is unknown; the run is marked cancelled.`
        : `The ${what} is another workload now (created again after this run), so how this run ended is unknown; it is marked cancelled.`,
    fix: `The output recorded until then is kept: parity logs ${runId}. Run the notebook again for a result.`,
  };
}

/**
 * Whether the run's workload as the cluster has it now (`current`, undefined when there is none)
 * is gone: deleted, or another one under the same name (its uid differs). Undefined while it is there.
 */
export function workloadGoneSince(
  ref: ClusterRunRef,
  current: { metadata?: { uid?: string } } | undefined,
  runId: string,
): Diagnosis | undefined {
  if (current && (!ref.uid || current.metadata?.uid === ref.uid)) return undefined;
  return workloadGoneDiagnosis(ref, current ? "replaced" : "deleted", runId);
}
