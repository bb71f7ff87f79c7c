import type { ClusterRunRef, TargetName } from "../job/types";

/** Where a target runs jobs, as a sentence says it ("runs on local Docker"): one word list for every front end. */
export const TARGET_LABELS: Record<TargetName, string> = {
  local: "local Docker",
  cluster: "the cluster",
};

/** A run as far as where it went: its target and, on a cluster, its context and namespace. */
export interface RunPlace {
  target: TargetName;
  cluster?: Pick<ClusterRunRef, "context" | "namespace">;
}

/** Where a run went, as a row says it in a few words: "local", "cluster team-a". */
export function placeWords(run: RunPlace): string {
  return run.cluster ? `${run.target} ${run.cluster.namespace}` : run.target;
}

/** Where a run went, as a sentence says it: "local Docker", "the cluster (context prod, namespace team-a)". */
export function placeSentence(run: RunPlace): string {
  const { cluster } = run;
  return `${TARGET_LABELS[run.target]}${cluster ? ` (context ${cluster.context}, namespace ${cluster.namespace})` : ""}`;
}
