import { EMPTY_SNAPSHOT, type ClusterHealth, type ClusterSnapshot } from "../../core/cluster/snapshot";
import { Emitter, type Disposable, type Listener } from "../../core/events";
import { userMessage } from "../../core/presentation/messages";
import {
  connectCluster,
  resolveConnection,
  sameEndpoint,
  type ConnectOptions,
  type KubeConnection,
} from "../../targets/kube/connection";
import { probeServer } from "../../targets/kube/health";
import { readKubeConfigs } from "../../targets/kube/kubeconfig";
import { watchKubeconfig } from "./kubeconfigWatch";
import { watchCluster, type ClusterWatch } from "./watch";

export interface FollowClusterOptions extends Omit<ConnectOptions, "signal" | "timeoutMs"> {
  /** Time between two probes of the API server: 2 s by default, so that an outage shows within 5 s. */
  probeEveryMs?: number;
  /** A probe not answered within this time counts as a lost connection: 2 s by default. */
  probeTimeoutMs?: number;
  /** Quiet time after a write to the kubeconfig before it is read again: 300 ms by default. */
  kubeconfigDebounceMs?: number;
}

/** The Cluster view's cluster as it is now, kept true for as long as it is followed. */
export interface FollowedCluster {
  snapshot(): ClusterSnapshot;
  /** Something in the snapshot changed: an object, the health, the kubeconfig's contexts or the target. */
  onChange(listener: Listener<void>): Disposable;
  stop(): void;
}

/**
 * Connects and watches the cluster the kubeconfig chooses, and keeps what it shows true:
 * - the kubeconfig's files are watched: the contexts are read again when they change, and a
 *   chosen context whose server, CA or credentials changed is connected again, the old cluster's
 *   objects dropped at once rather than shown as the new one's;
 * - the API server is probed every few seconds (GET /version): a refused or unanswered request
 *   shows "unreachable" within 5 s, aged from the first failed probe, where a watch alone notices
 *   only when its stream errors or its deadline passes. When the server answers again, the
 *   informers start afresh instead of waiting out their reconnect backoff.
 * The caller follows only while someone looks (the Cluster view is visible) and stops it after.
 */
export function followCluster(options: FollowClusterOptions): FollowedCluster {
  const { probeEveryMs = 2_000, probeTimeoutMs = 2_000, kubeconfigDebounceMs = 300 } = options;
  const changed = new Emitter<void>();
  const fire = () => changed.fire(undefined);
  let stopped = false;
  let contexts: string[] = [];
  let kubeconfigCurrent: string | undefined;
  /** The connection the kubeconfig chooses now (not yet checked); undefined when it chooses none. */
  let target: KubeConnection | undefined;
  /** Why connecting failed, as the user reads it. */
  let failure: string | undefined;
  /** Since when, and why, the probe finds nobody at the target's server. */
  let lost: { at: number; error: string } | undefined;
  let watch: ClusterWatch | undefined;
  let watchChanges: Disposable | undefined;
  let attempt: AbortController | undefined;
  let probeTimer: ReturnType<typeof setTimeout> | undefined;
  let probing: AbortController | undefined;

  const disconnect = () => {
    attempt?.abort();
    attempt = undefined;
    watchChanges?.dispose();
    watchChanges = undefined;
    watch?.stop();
    watch = undefined;
    failure = undefined;
  };

  const connect = async () => {
    disconnect();
    const controller = new AbortController();
    attempt = controller;
    const current = () => attempt === controller && !stopped;
    fire();
    try {
      const connection = await connectCluster({ ...options, signal: controller.signal, timeoutMs: 10_000 });
      if (!current()) return;
      const next = await watchCluster(connection, controller.signal);
      if (!current()) return next.stop();
      watch = next;
      watchChanges = next.onChange(fire);
    } catch (error) {
      if (!current()) return;
      failure = userMessage(error);
    }
    fire();
  };

  /** The kubeconfig as it is on disk now: its contexts, and a new connection if the target moved. */
  const reload = () => {
    try {
      const { config } = readKubeConfigs(options);
      contexts = config.contexts.map((context) => context.name);
      kubeconfigCurrent = config.currentContext || undefined;
    } catch {
      contexts = [];
      kubeconfigCurrent = undefined;
    }
    let next: KubeConnection;
    try {
      next = resolveConnection(options).connection;
    } catch (error) {
      // The chosen context is gone or the file is broken: nothing of the old cluster stays shown.
      target = undefined;
      lost = undefined;
      disconnect();
      failure = userMessage(error);
      return fire();
    }
    if (target && sameEndpoint(next, target)) return fire();
    target = next;
    lost = undefined;
    void connect();
  };

  const probe = async () => {
    probeTimer = undefined;
    const probed = target;
    if (probed) {
      const controller = new AbortController();
      probing = controller;
      const problem = await probeServer(probed, { timeoutMs: probeTimeoutMs, signal: controller.signal });
      if (stopped) return;
      probing = undefined;
      // A kubeconfig change while the probe was out made its answer one about another server.
      if (probed === target) {
        if (problem && !lost) {
          lost = { at: Date.now(), error: userMessage(problem) };
          fire();
        } else if (!problem && lost) {
          lost = undefined;
          void connect();
        }
      }
    }
    probeTimer = setTimeout(() => void probe(), probeEveryMs);
  };

  /** A failed probe or connect outranks the informers: they notice an outage late, or never start. */
  const health = (watched: ClusterHealth | undefined): ClusterHealth => {
    if (lost) return { state: "unreachable", lostAt: lost.at, error: lost.error };
    if (failure) return { state: "unreachable", error: failure };
    return watched ?? { state: "connecting" };
  };

  const kubeconfigWatch = watchKubeconfig(
    options,
    () => {
      if (!stopped) reload();
    },
    kubeconfigDebounceMs,
  );
  reload();
  probeTimer = setTimeout(() => void probe(), probeEveryMs);

  return {
    snapshot: () => {
      const watched = watch?.snapshot();
      return {
        ...EMPTY_SNAPSHOT,
        context:
          target?.target.context ?? options.context ?? options.profileCluster?.context ?? kubeconfigCurrent,
        namespace: target?.target.namespace ?? options.namespace ?? options.profileCluster?.namespace,
        server: target?.target.server,
        ...watched,
        contexts,
        health: health(watched?.health),
      };
    },
    onChange: changed.event,
    stop: () => {
      stopped = true;
      clearTimeout(probeTimer);
      probing?.abort();
      kubeconfigWatch.dispose();
      disconnect();
      changed.dispose();
    },
  };
}
