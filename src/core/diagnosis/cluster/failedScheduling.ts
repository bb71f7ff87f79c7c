/**
 * The scheduler's FailedScheduling message, taken apart. Its shape (k8s.io/kubernetes
 * pkg/scheduler/framework FitError.Error) is
 * "0/<total> nodes are available: <count> <reason>, <count> <reason>. <post-filter messages>",
 * the reasons sorted as text; a PreFilter failure puts one uncounted sentence there instead.
 */
export type SchedulingReasonKind =
  | "InsufficientResource"
  | "UntoleratedTaint"
  | "NodeSelectorMismatch"
  | "Affinity"
  | "Unschedulable"
  | "NotReady"
  | "Other";

export interface SchedulingReason {
  /** Nodes that gave this reason (0 when the scheduler did not count them). */
  count: number;
  kind: SchedulingReasonKind;
  /** The resource a node lacks ("nvidia.com/gpu"), or the taint when an older scheduler named it. */
  resource?: string;
  text: string;
}

export interface FailedScheduling {
  available: number;
  total: number;
  reasons: SchedulingReason[];
  /** What preemption concluded ("0/4 nodes are available: 4 Preemption is not helpful for scheduling."). */
  preemption?: string;
}

const HEADLINE = /^(\d+)\/(\d+) nodes are available:?\s*/;

export function parseFailedScheduling(message: string): FailedScheduling {
  const text = message.trim();
  const headline = HEADLINE.exec(text);
  if (!headline) return { available: 0, total: 0, reasons: [{ count: 0, kind: "Other", text }] };
  // The filter reasons end at the first ". "; after it come the PostFilter plugins' messages
  // ("no new claims to deallocate, preemption: …"), of which preemption's is the one that matters.
  const rest = text.slice(headline[0].length);
  const end = rest.indexOf(". ");
  const reasons = (end >= 0 ? rest.slice(0, end) : rest).trim().replace(/\.$/, "");
  const postFilter = end >= 0 ? rest.slice(end + 2) : "";
  const preemption = /preemption:\s*(.*)$/s.exec(postFilter)?.[1]?.trim();
  return {
    available: Number(headline[1]),
    total: Number(headline[2]),
    reasons: splitReasons(reasons).map(classify),
    ...(preemption ? { preemption } : {}),
  };
}

/** Splits on the commas between reasons, not those inside an older message's taint braces. */
function splitReasons(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "{") depth += 1;
    if (char === "}") depth = Math.max(0, depth - 1);
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}

function classify(part: string): SchedulingReason {
  const counted = /^(\d+) (.*)$/s.exec(part);
  const count = counted ? Number(counted[1]) : 0;
  const text = counted ? counted[2]! : part;
  const insufficient = /^Insufficient (\S+)/.exec(text);
  if (insufficient) return { count, kind: "InsufficientResource", resource: insufficient[1], text };
  if (/node\.kubernetes\.io\/(not-ready|unreachable)/.test(text)) return { count, kind: "NotReady", text };
  if (/untolerated taint|taints that the pod didn't tolerate/.test(text)) {
    const named = /untolerated taint \{(.*)\}/.exec(text);
    return { count, kind: "UntoleratedTaint", ...(named ? { resource: named[1]!.trim() } : {}), text };
  }
  if (/didn't match Pod's node affinity\/selector/.test(text))
    return { count, kind: "NodeSelectorMismatch", text };
  if (/didn't match pod (anti-)?affinity|topology spread/.test(text))
    return { count, kind: "Affinity", text };
  if (/were unschedulable/.test(text)) return { count, kind: "Unschedulable", text };
  if (/not-ready|not ready|NotReady/.test(text)) return { count, kind: "NotReady", text };
  return { count, kind: "Other", text };
}
