import type { CoreV1Event, KubernetesObject, V1Pod } from "@kubernetes/client-node";
import { workflowOutcome, type WorkflowObject } from "../../core/pipeline/argo/status";
import { containerFailures } from "../../core/diagnosis/cluster/podProblems";
import { Emitter, type Disposable } from "../../core/events";
import type { ClusterWorkloadKind, RunStatus, TimelineEntry } from "../../core/job/types";
import type { KubeConnection } from "./connection";
import { RunTimeline } from "./events";
import { probeServer } from "./health";
import { createInformer, type Informer } from "./informer";

/** How long a failed workload waits for its pods' watch to show the container that failed. */
const POD_FAILURE_WAIT_MS = 5_000;
/**
 * How often the API server of a followed run is asked whether it is there: a connection whose
 * packets are dropped shows in seconds, where the watches notice only when their deadline passes.
 */
const PROBE_EVERY_MS = 5_000;
const PROBE_TIMEOUT_MS = 3_000;

export interface WatchedWorkload {
  namespace: string;
  kind: ClusterWorkloadKind;
  name: string;
  group: string;
  version: string;
  plural: string;
}

/** A workload as the API sends it: only its conditions matter here. */
export interface WorkloadObject extends KubernetesObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface WorkloadOutcome {
  status: "succeeded" | "failed";
  reason?: string;
  message?: string;
}

/**
 * How a workload ended, from its conditions: a Job's Complete or Failed (not the earlier
 * SuccessCriteriaMet / FailureTarget, while pods may still be stopping), a training job's
 * Succeeded or Failed.
 */
export function workloadOutcome(
  kind: ClusterWorkloadKind,
  workload: WorkloadObject | undefined,
): WorkloadOutcome | undefined {
  // A Workflow says how it ended by its phase; its conditions say other things (PodRunning, Completed).
  if (kind === "Workflow") return workflowOutcome(workload as WorkflowObject | undefined);
  const conditions = (workload?.status?.conditions ?? []).filter((c) => c.status === "True");
  const success = kind === "Job" ? "Complete" : "Succeeded";
  const done = conditions.find((c) => c.type === success || c.type === "Failed");
  if (!done) return undefined;
  return {
    status: done.type === "Failed" ? "failed" : "succeeded",
    ...(done.reason ? { reason: done.reason } : {}),
    ...(done.message ? { message: done.message } : {}),
  };
}

/** Pending until a container of the run has started. */
export function activeStatus(pods: V1Pod[]): RunStatus {
  const started = pods.some((pod) =>
    (pod.status?.containerStatuses ?? []).some((s) => s.state?.running || s.state?.terminated),
  );
  return started ? "running" : "pending";
}

/**
 * Follows one run through informers: its workload (by name), its pods (by the run label) and the
 * namespace's events about them. Fires on every change; the timeline grows as things happen.
 */
export class RunWatch implements Disposable {
  private readonly changes = new Emitter<void>();
  private readonly workloadInformer: Informer<WorkloadObject>;
  private readonly podInformer: Informer<V1Pod>;
  private readonly eventInformer: Informer<CoreV1Event>;
  private readonly timeline: RunTimeline;
  private deleted = false;
  /** Since when the API server has not answered the run's watches or probe (ms), while it has not. */
  private lostAt: number | undefined;
  private probeFailed = false;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private probing: AbortController | undefined;
  private disposed = false;
  /** Every pod of the run as last seen, deleted ones included: an operator may delete a failed replica's pod. */
  private readonly seenPods = new Map<string, V1Pod>();
  private readonly subscriptions: Disposable[] = [];
  readonly onChange = this.changes.event;

  constructor(
    private readonly conn: KubeConnection,
    private readonly target: WatchedWorkload,
    podSelector: string,
  ) {
    const { namespace, group, version, plural, name, kind } = target;
    this.timeline = new RunTimeline({ kind, name });
    this.workloadInformer = createInformer<WorkloadObject>(conn, {
      path: `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
      fieldSelector: `metadata.name=${name}`,
    });
    this.podInformer = createInformer<V1Pod>(conn, {
      path: `/api/v1/namespaces/${namespace}/pods`,
      labelSelector: podSelector,
    });
    this.eventInformer = createInformer<CoreV1Event>(conn, {
      path: `/api/v1/namespaces/${namespace}/events`,
    });
    this.subscriptions.push(
      this.workloadInformer.onChange((change) => {
        if (change.type === "deleted") this.deleted = true;
        this.changes.fire();
      }),
      this.podInformer.onChange((change) => {
        if (change.object && change.type !== "deleted") this.timeline.addPod(change.object);
        if (change.object) this.remember(change.object);
        this.changes.fire();
      }),
      this.eventInformer.onChange((change) => {
        if (change.object && change.type !== "deleted" && this.timeline.addEvent(change.object))
          this.changes.fire();
      }),
      ...this.informers().map((informer) => informer.onHealth(() => this.healthChanged())),
    );
  }

  /** Since when (ms since the epoch) the API server has not answered the run's watches; undefined while it does. */
  get unreachableSince(): number | undefined {
    return this.lostAt;
  }

  private informers(): Informer<unknown>[] {
    return [this.workloadInformer, this.podInformer, this.eventInformer];
  }

  private async probe(): Promise<void> {
    const controller = new AbortController();
    this.probing = controller;
    const problem = await probeServer(this.conn, { timeoutMs: PROBE_TIMEOUT_MS, signal: controller.signal });
    if (this.disposed) return;
    this.probeFailed = problem !== undefined;
    this.healthChanged();
    this.probeTimer = setTimeout(() => void this.probe(), PROBE_EVERY_MS);
  }

  private healthChanged(): void {
    // Only a network failure counts: a watch refused by RBAC or a 410 is an answer.
    const lost =
      this.probeFailed ||
      this.informers().some(
        (informer) =>
          (informer.health === "reconnecting" || informer.health === "stale") &&
          informer.lastError?.code === "ClusterUnreachable",
      );
    const before = this.lostAt;
    this.lostAt = lost ? (this.lostAt ?? Date.now()) : undefined;
    if (this.lostAt !== before) this.changes.fire();
  }

  start(): void {
    for (const informer of this.informers()) informer.start();
    this.probeTimer = setTimeout(() => void this.probe(), PROBE_EVERY_MS);
  }

  workload(): WorkloadObject | undefined {
    return this.workloadInformer.get(this.target.namespace, this.target.name);
  }

  /** The run's pods that exist now. */
  pods(): V1Pod[] {
    return this.podInformer.items();
  }

  /** Every pod the run had, as last seen (for the diagnosis: a deleted pod's failure still counts). */
  allPods(): V1Pod[] {
    return [...this.seenPods.values()];
  }

  /**
   * A pod's last state, except that a state showing a failed container is never replaced by a later
   * one without it: the fake kubelet (and real ones, on eviction) rewrite a deleted pod's statuses.
   */
  private remember(pod: V1Pod): void {
    const name = pod.metadata?.name ?? "";
    const known = this.seenPods.get(name);
    if (known && containerFailures([known]).length > 0 && containerFailures([pod]).length === 0) return;
    this.seenPods.set(name, pod);
  }

  /**
   * The workload's Failed condition and its pods' states come through separate watches: the
   * condition can arrive first. Gives the pods' watch a moment to show which container failed.
   */
  async podFailureSeen(waitMs = POD_FAILURE_WAIT_MS): Promise<void> {
    await this.seenWithin(() => containerFailures(this.allPods()).length > 0, waitMs);
  }

  /** Until `seen` holds after a change the watches brought, or `waitMs` has passed. */
  async seenWithin(seen: () => boolean, waitMs: number): Promise<void> {
    if (seen()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      const subscription = this.onChange(() => {
        if (seen()) done();
      });
      function done() {
        clearTimeout(timer);
        subscription.dispose();
        resolve();
      }
    });
  }

  entries(): TimelineEntry[] {
    return this.timeline.entries();
  }

  /** The workload was deleted by someone else before it ended. */
  get workloadDeleted(): boolean {
    return this.deleted && !this.workload();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.probeTimer);
    this.probing?.abort();
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const informer of this.informers()) informer.stop();
    this.changes.dispose();
  }
}
