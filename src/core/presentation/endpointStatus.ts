import type { RunStatus } from "../job/types";
import type { TrafficShare } from "../serving/types";

/** Where an endpoint stands, in its own words rather than a run's. */
export type EndpointState = "building" | "loading" | "serving" | "stopped" | "failed" | "lost";

/** An endpoint record's status as an endpoint says it: a running endpoint serves, a cancelled one was stopped. */
export function endpointState(status: RunStatus): EndpointState {
  switch (status) {
    case "building":
      return "building";
    case "pending":
      return "loading";
    case "running":
      return "serving";
    case "failed":
      return "failed";
    case "lost":
      return "lost";
    case "succeeded":
    case "cancelled":
      return "stopped";
  }
}

export const ENDPOINT_STATE_LABELS: Record<EndpointState, string> = {
  building: "Building",
  loading: "Loading",
  serving: "Serving",
  stopped: "Stopped",
  failed: "Failed",
  lost: "Lost",
};

/**
 * Whether the split has a canary: a share KServe names canary (Standard mode), or the latest
 * revision with part of the traffic beside the previous one (Knative's canaryTrafficPercent). A
 * rolled-back Knative canary (0 %) is none.
 */
export function hasCanary(traffic: readonly TrafficShare[]): boolean {
  return traffic.some(
    (share) => share.tag === "canary" || (share.tag === "latest" && share.percent > 0 && share.percent < 100),
  );
}

/** "10 % · canary · not applied (answers at its own URL only)" */
export function trafficWords(share: TrafficShare): string {
  const applied = share.applied
    ? "applied"
    : `not applied${share.url ? " (answers at its own URL only)" : ""}`;
  return [`${share.percent} %`, ...(share.tag ? [share.tag] : []), applied].join(" · ");
}
