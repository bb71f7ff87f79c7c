import type { ClusterHealth } from "../../core/cluster/snapshot";

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
