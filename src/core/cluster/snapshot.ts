import type { NamespaceItem, NodeItem, PodItem, WorkloadItem } from "./objects";

/** An informer's connection: listing, watching, quiet past its deadline, reconnecting after a failure. */
export type InformerHealth = "connecting" | "live" | "stale" | "reconnecting" | "stopped";

/** How the Cluster view's connection stands, as the informers report it, plus "unreachable" before any informer runs. */
export type ClusterHealthState = InformerHealth | "unreachable";

export interface ClusterHealth {
  state: ClusterHealthState;
  /** When the cluster was last heard from (an event, a bookmark, a fresh list), ms since the epoch. */
  lastHeardAt?: number;
  /**
   * When the connection was lost (the first failed probe or connect), ms since the epoch: the age
   * of an outage counts from here, not from the last event of a quiet watch.
   */
  lostAt?: number;
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
  /**
   * Sections the user may not list, each with the sentence that says so and what to ask for: an
   * empty list there means "not allowed to see", never "nothing there".
   */
  notAllowed?: Partial<Record<ClusterSection, string>>;
}

export type ClusterSection = "runs" | "training" | "gpus";

/** A snapshot's contents before anything is listed, or of a cluster that cannot be reached. */
export const EMPTY_SNAPSHOT: Readonly<Omit<ClusterSnapshot, "contexts" | "health">> = {
  namespaces: [],
  pods: [],
  podsScope: "namespace",
  nodes: [],
  workloads: [],
  canSubmit: false,
  canDelete: false,
};

/** "live", "stale 95 s", "unreachable for 28 s": the same words in the view and the status bar. */
export function healthWords(health: ClusterHealth, now: number): string {
  switch (health.state) {
    case "stale": {
      const since = health.lostAt ?? health.lastHeardAt;
      return since === undefined ? "stale" : `stale ${age(since, now)}`;
    }
    case "unreachable":
      return health.lostAt === undefined ? "unreachable" : `unreachable for ${age(health.lostAt, now)}`;
    default:
      return health.state;
  }
}

/** Whether healthWords gives an age, which grows while nothing else changes: redraw it now and then. */
export function healthAges(health: ClusterHealth | undefined): boolean {
  return health?.state === "stale" || (health?.state === "unreachable" && health.lostAt !== undefined);
}

/** "95 s", "4 min": whole seconds up to two minutes, then whole minutes. */
function age(since: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - since) / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`;
}
