import type { RunResult, RunStatus } from "../job/types";
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

/** What a share's `applied` flag means for requests to the endpoint's URL. */
export const ROUTED_WORDS = "routed";
export const NOT_ROUTED_WORDS = "asked for, not routed by KServe";

/** "20 % · canary · asked for, not routed by KServe": a share KServe does not route is never shown as routed. */
export function trafficWords(share: TrafficShare): string {
  return [
    `${share.percent} %`,
    ...(share.tag ? [share.tag] : []),
    share.applied ? ROUTED_WORDS : NOT_ROUTED_WORDS,
  ].join(" · ");
}

/** What a deployment to a cluster changed (app/serving/deployCluster.ts's `Deployed.action`). */
export type DeploymentAction = "created" | "replaced" | "canary" | "promoted" | "rolled back";

export interface DeploymentOutcome {
  action: DeploymentAction;
  /** The endpoint's name and namespace. */
  name: string;
  namespace: string;
  /** What KServe does with the change, as the application layer says it. */
  notes: string[];
  record?: RunResult;
}

const APPLIED: Record<DeploymentAction, string> = {
  created: "Created the endpoint",
  replaced: "Replaced the model of",
  canary: "Added the canary to",
  promoted: "Promoted the canary of",
  "rolled back": "Rolled back the canary of",
};

/**
 * A cluster deployment's end, said once: where the endpoint serves, its split as KServe routes it
 * (a share asked for but not routed is said to be so, never shown as a split) and KServe's notes;
 * or that it does not serve (yet), why, and what to do. A warning where a share is not routed.
 */
export function deploymentMessage(outcome: DeploymentOutcome): {
  severity: "info" | "warning" | "error";
  text: string;
} {
  const { name, namespace, record } = outcome;
  const endpoint = record?.endpoint;
  const cluster = endpoint?.cluster;
  const notes = outcome.notes.length > 0 ? ` ${outcome.notes.join(" ")}` : "";
  const failed = record?.diagnosis.find((item) => item.severity === "error");
  if (failed) {
    return {
      severity: "error",
      text: `${APPLIED[outcome.action]} ${name} in ${namespace}, but KServe does not serve it: ${failed.message} Fix: ${failed.fix}`,
    };
  }
  const waiting = record?.diagnosis.find((item) => item.severity === "warning");
  if (waiting || record?.status !== "running") {
    return {
      severity: "warning",
      text: `${APPLIED[outcome.action]} ${name} in ${namespace}, but KServe does not serve it yet${waiting ? `: ${waiting.message} Fix: ${waiting.fix}` : "."}`,
    };
  }
  const traffic = cluster?.traffic ?? [];
  const at = endpoint?.url ? ` at ${endpoint.url}` : "";
  const mode = cluster ? ` (KServe ${cluster.mode} mode)` : "";
  const canary = traffic.find((share) => share.tag === "canary" || share.tag === "latest");
  const head: Record<DeploymentAction, string> = {
    created: `Endpoint ${name} serves in ${namespace}${mode}${at}.`,
    replaced: `Endpoint ${name} in ${namespace} serves the new model${at}.`,
    canary: `Endpoint ${name} in ${namespace} has the new model as its canary${canary ? ` (${canary.revision})` : ""}.`,
    promoted: `The canary of ${name} in ${namespace} is promoted: it is the stable model now.`,
    "rolled back": `The canary of ${name} in ${namespace} is rolled back: the stable model takes its traffic again.`,
  };
  const split =
    traffic.length > 1
      ? ` Traffic: ${traffic.map((share) => `${share.revision} ${share.percent} % ${share.applied ? ROUTED_WORDS : NOT_ROUTED_WORDS}`).join("; ")}.`
      : "";
  return {
    severity: traffic.some((share) => !share.applied) ? "warning" : "info",
    text: `${head[outcome.action]}${split}${notes}`,
  };
}
