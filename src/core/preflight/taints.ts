import type { Toleration } from "../profile/types";
import type { Taint } from "./types";

/** Effects the scheduler's TaintToleration filter enforces; PreferNoSchedule only scores. */
const BLOCKING_EFFECTS = new Set(["NoSchedule", "NoExecute"]);

/** Kubernetes' ToleratesTaint: effect, key (empty key with Exists matches all) and value rules. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const operator = toleration.operator ?? "Equal";
  if (!toleration.key) return operator === "Exists";
  if (toleration.key !== taint.key) return false;
  return operator === "Exists" || (toleration.value ?? "") === (taint.value ?? "");
}

/** The taints on a node that keep a pod with these tolerations off it. */
export function untoleratedTaints(tolerations: Toleration[], taints: Taint[]): Taint[] {
  return taints.filter(
    (taint) => BLOCKING_EFFECTS.has(taint.effect) && !tolerations.some((t) => tolerates(t, taint)),
  );
}

/** "nvidia.com/gpu=present:NoSchedule", as kubectl shows a taint. */
export function describeTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`;
}
