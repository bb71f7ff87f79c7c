import type { TimelineEntry } from "../../job/types";
import type { Diagnosis } from "../types";
import { parseFailedScheduling, type SchedulingReason } from "./failedScheduling";
import type { PodLike } from "./objects";

/**
 * Why the scheduler leaves a pod Pending, from its latest FailedScheduling event: the parts of
 * the message in plain words, with what the pod asks for next to what nodes lack.
 */
export function failedSchedulingDiagnosis(pod: PodLike, who: string, event: TimelineEntry): Diagnosis {
  const parsed = parseFailedScheduling(event.message);
  const parts = parsed.reasons.map((reason) => describeReason(reason, pod));
  const fits = parsed.total > 0 ? ` (${parsed.available} of ${parsed.total} nodes fit)` : "";
  const preemption = /not helpful/.test(parsed.preemption ?? "")
    ? " Evicting other pods would not help."
    : "";
  return {
    code: "FailedScheduling",
    severity: "error",
    message: `The scheduler cannot place ${who}${fits}: ${parts.join(", ")}.${preemption}`,
    fix: fixFor(parsed.reasons),
  };
}

function describeReason(reason: SchedulingReason, pod: PodLike): string {
  const nodes = reason.count === 1 ? "1 node" : `${reason.count} nodes`;
  switch (reason.kind) {
    case "InsufficientResource": {
      const asked = requested(pod, reason.resource ?? "");
      return `${nodes} without enough ${reason.resource}${asked ? ` (the pod asks for ${asked})` : ""}`;
    }
    case "UntoleratedTaint":
      return `${nodes} with a taint${reason.resource ? ` {${reason.resource}}` : ""} the pod does not tolerate`;
    case "NodeSelectorMismatch":
      return `${nodes} not matching its node selector or affinity`;
    case "Unschedulable":
      return `${nodes} cordoned (marked unschedulable)`;
    case "NotReady":
      return `${nodes} not ready`;
    default:
      return reason.count ? `${nodes}: ${reason.text}` : reason.text;
  }
}

/** The pod's total request for a resource, summed over its containers, as written. */
function requested(pod: PodLike, resource: string): string | undefined {
  const values = (pod.spec?.containers ?? [])
    .map((container) => container.resources?.requests?.[resource] ?? container.resources?.limits?.[resource])
    .filter((value): value is string => value !== undefined);
  if (values.length === 0) return undefined;
  if (values.length === 1) return values[0];
  const numbers = values.map(Number);
  return numbers.every(Number.isFinite) ? String(numbers.reduce((a, b) => a + b, 0)) : values.join(" + ");
}

function fixFor(reasons: SchedulingReason[]): string {
  const fixes: string[] = [];
  const kinds = new Set(reasons.map((reason) => reason.kind));
  if (kinds.has("InsufficientResource")) {
    fixes.push(
      "Request no more than the largest node has (resources in parity.yaml), or run where bigger nodes exist",
    );
  }
  if (kinds.has("UntoleratedTaint")) {
    fixes.push("add a toleration for the node's taint under cluster.tolerations in parity.yaml");
  }
  if (kinds.has("NodeSelectorMismatch") || kinds.has("Affinity")) {
    fixes.push("check cluster.nodeSelector in parity.yaml against the nodes' labels");
  }
  if (kinds.has("Unschedulable") || kinds.has("NotReady")) {
    fixes.push("ask the cluster's admins about the nodes that are cordoned or not ready");
  }
  if (fixes.length === 0)
    return "Read the scheduler's message in the timeline and adjust the profile's cluster section.";
  const sentence = fixes.join("; ");
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}
