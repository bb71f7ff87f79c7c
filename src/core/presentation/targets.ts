import type { TargetName } from "../job/types";

/** Where a target runs jobs, as a sentence says it ("runs on local Docker"): one word list for every front end. */
export const TARGET_LABELS: Record<TargetName, string> = {
  local: "local Docker",
  cluster: "the cluster",
};
