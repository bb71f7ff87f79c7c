import { healthWords } from "../core/cluster/snapshot";
import type { ClusterStatusState } from "../services/clusterStatus";
import type { StatusText } from "./statusText";

/** "$(cloud) kwok · team-a", "$(warning) kwok · team-a · stale 95 s": the cluster target beside Parity's item. */
export function clusterStatusText(state: ClusterStatusState, now: number): StatusText {
  const target = `${state.context ?? "no context"}${state.namespace ? ` · ${state.namespace}` : ""}`;
  const running =
    state.activeRuns > 0
      ? ` ${state.activeRuns} cluster ${state.activeRuns === 1 ? "run" : "runs"} of this window.`
      : "";
  const health = state.health;
  const click = "Click to show the Cluster view.";
  if (!health || health.state === "live" || health.state === "stopped") {
    return {
      text: `$(cloud) ${target}`,
      tooltip: `Parity cluster target: context ${state.context ?? "none"}, namespace ${state.namespace ?? "default"}${health?.state === "live" ? ", watching live" : ""}.${running} ${click}`,
    };
  }
  const words = healthWords(health, now);
  const icon =
    health.state === "stale" ? "$(warning)" : health.state === "unreachable" ? "$(error)" : "$(sync~spin)";
  const why =
    health.state === "stale"
      ? `nothing heard from the API server for a while (${words}); the watch is being restarted.`
      : health.state === "unreachable"
        ? (health.error ?? "the API server does not answer.")
        : `${words}.`;
  return {
    text: `${icon} ${target} · ${words}`,
    tooltip: `Parity cluster target ${target}: ${why}${running} ${click}`,
  };
}

/** The target Parity's main item names: "cluster · kwok/team-a" while a cluster run of this window is active, else "local". */
export function activeTarget(state: ClusterStatusState): string {
  if (state.activeRuns === 0) return "local";
  if (!state.context) return "cluster";
  return `cluster · ${state.context}${state.namespace ? `/${state.namespace}` : ""}`;
}
