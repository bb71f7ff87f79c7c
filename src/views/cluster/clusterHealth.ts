import type { InformerHealth } from "../../targets/kube/informerTypes";

/** How the Cluster view's connection stands, as the informers report it, plus "unreachable" before any informer runs. */
export type ClusterHealthState = InformerHealth | "unreachable";

export interface ClusterHealth {
  state: ClusterHealthState;
  /** When the cluster was last heard from (an event, a bookmark, a fresh list), ms since the epoch. */
  lastHeardAt?: number;
  /** Why it is unreachable: a sentence for the user. */
  error?: string;
}

/** "live", "stale 95 s", "reconnecting": the same words in the view and the status bar. */
export function healthWords(health: ClusterHealth, now: number): string {
  switch (health.state) {
    case "stale": {
      const age =
        health.lastHeardAt === undefined
          ? undefined
          : Math.max(0, Math.round((now - health.lastHeardAt) / 1000));
      return age === undefined ? "stale" : `stale ${age} s`;
    }
    case "unreachable":
      return "unreachable";
    default:
      return health.state;
  }
}

export function healthIcon(health: ClusterHealth): { id: string; color?: string } {
  switch (health.state) {
    case "live":
      return { id: "cloud", color: "testing.iconPassed" };
    case "stale":
      return { id: "warning", color: "problemsWarningIcon.foreground" };
    case "reconnecting":
    case "connecting":
      return { id: "sync~spin" };
    case "unreachable":
      return { id: "error", color: "problemsErrorIcon.foreground" };
    case "stopped":
      return { id: "cloud" };
  }
}
