import type { NamespaceItem, NodeItem, PodItem, WorkloadItem } from "./objects";

/** An informer's connection: listing, watching, quiet past its deadline, reconnecting after a failure. */
export type InformerHealth = "connecting" | "live" | "stale" | "reconnecting" | "stopped";

/** How the Cluster view's connection stands, as the informers report it, plus "unreachable" before any informer runs. */
export type ClusterHealthState = InformerHealth | "unreachable";

export interface ClusterHealth {
  state: ClusterHealthState;
  /** When the cluster was last heard from (an event, a bookmark, a fresh list), ms since the epoch. */
  lastHeardAt?: number;
  /** Why it is unreachable: a sentence for the user. */
  error?: string;
}

/** What the Cluster view shows, as its informers hold it: plain data, so building rows is testable and timed on its own. */
export interface ClusterSnapshot {
  contexts: string[];
  context?: string;
  server?: string;
  namespace?: string;
  health: ClusterHealth;
  namespaces: NamespaceItem[];
  /** Every pod the user may list: the whole cluster, or only `namespace` (podsScope). */
  pods: PodItem[];
  podsScope: "cluster" | "namespace";
  nodes: NodeItem[];
  /** Parity's Jobs and every PyTorchJob/TFJob of `namespace`. */
  workloads: WorkloadItem[];
  /** From SelfSubjectRulesReview: actions the user cannot take are not offered. */
  canSubmit: boolean;
  canDelete: boolean;
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
