import { CustomObjectsApi, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { workloadGoneSince } from "../../core/diagnosis/cluster/workloadGone";
import type { Diagnosis } from "../../core/diagnosis/types";
import type {
  ClusterRunRef,
  JobSpec,
  LogLine,
  RunRecordWriter,
  RunResult,
  RunStatus,
} from "../../core/job/types";
import { labelValue, RUN_LABEL, workloadResource } from "../../core/manifests";
import { argoStepNodes, workflowOutcome, type WorkflowObject } from "../../core/pipeline/argo/status";
import { engineStepNames } from "../../core/pipeline/compiled";
import type { PipelineStepState } from "../../core/pipeline/types";
import { mergeTimeline } from "../../core/diagnosis/cluster/timelineOrder";
import { isUnfinishedClusterRun } from "../../core/workload/status";
import { requireAllowed } from "../../targets/kube/access";
import { currentWorkload } from "../../targets/kube/attachRun";
import { createCustomWorkload } from "../../targets/kube/clusterRun";
import type { KubeConnection } from "../../targets/kube/connection";
import { apiFailure, httpStatus } from "../../targets/kube/kubeErrors";
import { RecordSaver } from "../../targets/kube/recordSaver";
import { RunWatch } from "../../targets/kube/runWatch";
import { createDetachableRunHandle, type DetachableRunHandle } from "../../targets/runHandle";
import type { Print } from "../context";
import { readRecordOf, RunRecorder, type StoredRun } from "../store/runStore";
import { workspaceOfRunDir } from "../store/runRef";
import { movedEntry } from "../targets/cluster/moved";
import { PodRun, type PodRunHost, type PodShape } from "../targets/cluster/podRun";
import { requireSameCluster } from "../targets/cluster/runs";
import { workflowPermissions } from "./clusterCheck";
import { stepFailures } from "./runLocal";

/** The container of an Argo pod that runs the step (the others are Argo's own). */
const MAIN_CONTAINER = "main";
/** How long a submitted Workflow may go without a status before Parity says so. */
const QUIET_MS = 30_000;
/** How long the Workflow's end waits for its pods' ends, which come through another watch. */
const PODS_SETTLE_MS = 10_000;
/** A step in one of these states stays in it: what the Workflow says later does not move it back. */
const FINAL: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled", "not-run", "cached"]);

/** What following a pipeline's Workflow tells its caller as it goes. */
export interface WorkflowListeners {
  print: Print;
  onStart?(run: { workspaceDir: string; runId: string; steps: number }): void;
  onStep?(state: PipelineStepState): void;
  onLog?(line: LogLine): void;
}

/** Cancel deletes the Workflow; detach stops following and leaves it running. */
export interface WorkflowSignals {
  cancel: AbortSignal;
  detach?: AbortSignal;
}

/** The pipeline as its record knows it: enough to follow it again without its files. */
export interface FollowedPipeline {
  workspaceDir: string;
  /** Its steps and their edges, in the pipeline's order. */
  steps: { name: string; after: string[] }[];
  /** How a step's Python failure maps back to its notebook or script (known when the pipeline was read here). */
  explainTraceback?(step: string): JobSpec["explainTraceback"];
}

type Outcome = ReturnType<typeof workflowOutcome> | "cancelled" | "detached";

/**
 * Follows a pipeline's Argo Workflow to its end: its `status.nodes` say where each step stands, its
 * pods (by the run's label) are the steps' tries, each recorded as a cluster job run of its own
 * (named after its pod, so a process following the run again finds it) with its pod's log,
 * timeline and diagnosis. The pipeline's record lists the steps; cancelling deletes the Workflow.
 */
export class WorkflowFollower {
  private readonly states: PipelineStepState[];
  private readonly children: string[];
  private readonly tries = new Map<string, PodRun>();
  private readonly saver: RecordSaver;
  private readonly templates: Map<string, string>;
  private watch?: RunWatch;
  /** Once the Workflow has ended (or the run is cancelled or detached): no try starts, no step changes on its own. */
  private settling = false;
  /** Problems of pending tries already said, so each is said once. */
  private readonly saidProblems = new Set<string>();

  constructor(
    private readonly conn: KubeConnection,
    private readonly pipeline: FollowedPipeline,
    private base: RunResult & { cluster: ClusterRunRef },
    private readonly recorder: RunRecordWriter,
    private readonly listeners: WorkflowListeners,
    private readonly signals: WorkflowSignals,
  ) {
    this.states = pipeline.steps.map(
      (step) =>
        base.steps?.find((state) => state.name === step.name) ?? {
          name: step.name,
          status: "pending",
          after: step.after,
        },
    );
    this.children = [...(base.children ?? [])];
    this.saver = new RecordSaver(recorder);
    // Argo's template names are the steps' names as engines take them.
    this.templates = new Map(
      [...engineStepNames(pipeline.steps.map((step) => step.name))].map(([step, engine]) => [engine, step]),
    );
  }

  /** Records the run, submits its Workflow and follows it to its end. */
  async submit(workflow: KubernetesObject): Promise<RunResult> {
    const { namespace, name } = this.base.cluster;
    await this.saver.flush(this.snapshot("pending"));
    this.listeners.onStart?.({
      workspaceDir: this.pipeline.workspaceDir,
      runId: this.base.runId,
      steps: this.states.length,
    });
    const uid = await createCustomWorkload(this.conn, this.base.cluster, workflow, async () => {
      await this.recorder.close();
      await this.saver.finish({ ...this.snapshot("failed"), finishedAt: new Date().toISOString() });
    });
    this.base = { ...this.base, cluster: { ...this.base.cluster, uid } };
    this.listeners.print(`Submitted Workflow ${namespace}/${name} (run ${this.base.runId}).`);
    return this.follow();
  }

  /**
   * Follows a run whose follower went away: the tries it recorded are taken up where their logs
   * stop (ended ones stay as they are); a Workflow deleted or replaced meanwhile ends the run
   * cancelled, with that said.
   */
  async resume(): Promise<RunResult> {
    const ref = this.base.cluster;
    const workload = await currentWorkload(this.conn, ref);
    const gone = workloadGoneSince(ref, workload, this.base.runId);
    if (gone) return this.finish("cancelled", { gone });
    for (const id of this.children) {
      const stored = await readRecordOf({ workspaceDir: this.pipeline.workspaceDir, runId: id });
      if (stored?.step) await this.takeUp(stored);
    }
    return this.follow();
  }

  private api(): CustomObjectsApi {
    return this.conn.config.makeApiClient(CustomObjectsApi);
  }

  private async follow(): Promise<RunResult> {
    const { namespace, name } = this.base.cluster;
    const watch = new RunWatch(
      this.conn,
      { ...workloadResource("Workflow"), namespace, kind: "Workflow", name },
      `${RUN_LABEL}=${labelValue(this.base.runId)}`,
    );
    this.watch = watch;
    // A Workflow no controller picks up stays without a status, and nothing else would say so.
    const quiet = setTimeout(() => {
      if (!(watch.workload() as WorkflowObject | undefined)?.status && !this.settling)
        this.listeners.print(
          `! The Workflow ${namespace}/${name} has no status after ${QUIET_MS / 1000} s: is Argo's workflow-controller running, and does it watch this namespace?`,
        );
    }, QUIET_MS);
    try {
      const outcome = await new Promise<Outcome>((resolve) => {
        const { cancel, detach } = this.signals;
        if (cancel.aborted) resolve("cancelled");
        cancel.addEventListener("abort", () => resolve("cancelled"), { once: true });
        if (detach?.aborted) resolve("detached");
        detach?.addEventListener("abort", () => resolve("detached"), { once: true });
        watch.onChange(() => {
          this.look(watch);
          const ended = workflowOutcome(watch.workload() as WorkflowObject | undefined);
          if (ended) resolve(ended);
          // Deleted from elsewhere (the Runs view, kubectl): the run was cancelled there.
          else if (watch.workloadDeleted) resolve("cancelled");
        });
        watch.start();
      });
      return await this.settle(watch, outcome);
    } finally {
      clearTimeout(quiet);
      watch.dispose();
    }
  }

  /** Every change: new tries get their records and logs, ended tries their end, the steps their state. */
  private look(watch: RunWatch): void {
    if (this.settling) return;
    const live = new Set(watch.pods().map((pod) => pod.metadata?.name));
    for (const pod of watch.allPods()) {
      const step = this.stepOf(pod);
      const podName = pod.metadata?.name;
      if (!step || !podName) continue;
      const attempt = this.tries.get(podName) ?? (live.has(podName) ? this.startTry(step, pod) : undefined);
      if (!attempt || attempt.ended) continue;
      if (isEnded(pod)) this.endTry(attempt, pod);
      // Deleted before it ended (evicted, its node lost, Argo's pod GC): its node says how it went.
      else if (!live.has(podName)) void this.closeGone(attempt, pod, watch, false);
      else this.sayProblems(step, attempt.follow(pod));
    }
    this.lookSteps(watch);
    this.saver.schedule(this.snapshot(this.liveStatus()));
  }

  /** The step a pod of the run is a try of (its label), where it is one of this pipeline's. */
  private stepOf(pod: V1Pod): string | undefined {
    const step = pod.metadata?.labels?.["parity.dev/step"];
    return step !== undefined && this.states.some((state) => state.name === step) ? step : undefined;
  }

  /** Running from its first step's start to its end, between steps too; pending before. */
  private liveStatus(): RunStatus {
    return this.states.some((state) => state.status !== "pending") ? "running" : "pending";
  }

  /** Why a try waits (a pod the scheduler cannot place, a claim not bound), said once each. */
  private sayProblems(step: string, record: RunResult): void {
    for (const problem of record.diagnosis) {
      if (problem.severity === "info" || this.saidProblems.has(`${step}|${problem.message}`)) continue;
      this.saidProblems.add(`${step}|${problem.message}`);
      this.listeners.print(`${problem.severity === "error" ? "✗" : "!"} ${step}: ${problem.message}`);
    }
  }

  /** The steps' states by the Workflow's nodes; a step that ended (or was cancelled) keeps its status. */
  private lookSteps(watch: RunWatch): void {
    const nodes = argoStepNodes(watch.workload() as WorkflowObject | undefined, this.templates);
    for (const state of this.states) {
      const node = nodes.get(state.name);
      if (!node || state.status === "cancelled") continue;
      const attempt = this.latestTry(state.name);
      const status = FINAL.has(state.status) ? state.status : node.status;
      const change: Partial<PipelineStepState> = {
        status,
        ...(attempt && { runId: attempt.runId, startedAt: attempt.record.startedAt }),
        ...(node.tries > 1 && { attempts: node.tries }),
      };
      if (status === "failed" || (status === "not-run" && state.status !== "not-run")) {
        change.reason = this.reasonOf(state.name, node.message);
        change.finishedAt = state.finishedAt ?? new Date().toISOString();
      }
      if (status === "succeeded") change.finishedAt = state.finishedAt ?? new Date().toISOString();
      if (attempt?.record.oomKilled) change.oomKilled = true;
      if (attempt && attempt.record.exitCode !== null) change.exitCode = attempt.record.exitCode;
      this.update(state.name, change);
    }
  }

  /** Why a step failed or did not run: its try's diagnosis, else a step before it, else the controller's words. */
  private reasonOf(step: string, message: string | undefined): string | undefined {
    const attempt = this.latestTry(step);
    const error = attempt?.record.diagnosis.find((item) => item.severity === "error");
    if (error) return error.message.replace(/\.$/, "");
    const blocker = this.pipeline.steps
      .find((each) => each.name === step)
      ?.after.find((name) => ["failed", "not-run", "cancelled"].includes(this.state(name).status));
    if (blocker) return `${blocker} did not succeed`;
    return message;
  }

  private latestTry(step: string): PodRun | undefined {
    return [...this.tries.values()].filter((attempt) => attempt.label === step).at(-1);
  }

  private state(name: string): PipelineStepState {
    return this.states.find((state) => state.name === name)!;
  }

  private update(name: string, change: Partial<PipelineStepState>): void {
    const state = this.state(name);
    const before = JSON.stringify(state);
    Object.assign(state, change);
    if (JSON.stringify(state) === before) return;
    this.listeners.onStep?.({ ...state });
    const was = (JSON.parse(before) as PipelineStepState).status;
    if (change.status && change.status !== was) this.say(state, was);
  }

  /** Each step's start and end said once; a pod that ended before it was seen running has started too. */
  private say(state: PipelineStepState, was: PipelineStepState["status"]): void {
    const { print } = this.listeners;
    const ended = state.status === "succeeded" || state.status === "failed";
    if (state.status === "running" || (ended && was === "pending" && state.runId))
      print(`${state.name}: started (run ${state.runId})`);
    if (state.status === "running") return;
    if (state.status !== "pending")
      print(`${state.name}: ${state.status}${state.reason ? ` (${state.reason})` : ""}`);
  }

  /** How a step's pod runs: Argo's `main` container is the step's, its failure maps back to the step's file. */
  private host(): PodRunHost {
    return {
      conn: this.conn,
      workspaceDir: this.pipeline.workspaceDir,
      print: this.listeners.print,
      onLog: this.listeners.onLog,
      events: (pod) => (this.watch?.entries() ?? []).filter((entry) => entry.object.includes(pod)),
    };
  }

  private shapeOf(step: string): PodShape {
    return {
      isMain: (container) => container === MAIN_CONTAINER,
      explainTraceback: this.pipeline.explainTraceback?.(step),
    };
  }

  /** A new try of a step, seen in its pod: a cluster job run named after the pod. */
  private startTry(step: string, pod: V1Pod): PodRun {
    const runId = pod.metadata!.name!;
    this.children.push(runId);
    const attempt = PodRun.start(
      this.host(),
      this.shapeOf(step),
      { label: step, runId, parent: this.base, fields: { step } },
      pod,
    );
    this.tries.set(runId, attempt);
    return attempt;
  }

  /** A try an earlier follower recorded: ended, it stays as it is; else it is followed from where its log stops. */
  private async takeUp(record: RunResult): Promise<void> {
    const step = record.step!;
    this.tries.set(
      record.runId,
      await PodRun.takeUp(this.host(), this.shapeOf(step), step, record.runId, record),
    );
  }

  /** A try's pod ended: its last lines read, its record finished, the steps looked at again. */
  private endTry(attempt: PodRun, pod: V1Pod): void {
    void attempt
      .end(pod, pod.status?.phase === "Succeeded" ? "succeeded" : "failed")
      .then(() => this.watch && this.look(this.watch))
      .catch(() => undefined);
  }

  /** A try whose pod went (or is still there) before it was seen ending: how its Argo node ended, else lost. */
  private closeGone(attempt: PodRun, pod: V1Pod, watch: RunWatch, podThere: boolean): Promise<void> {
    const nodeId = pod.metadata?.annotations?.["workflows.argoproj.io/node-id"] ?? "";
    const phase = (watch.workload() as WorkflowObject | undefined)?.status?.nodes?.[nodeId]?.phase;
    const status: RunStatus =
      phase === "Succeeded" ? "succeeded" : phase === "Failed" || phase === "Error" ? "failed" : "lost";
    return attempt.end(pod, status, { gone: !podThere });
  }

  private snapshot(status: RunStatus, extra: Partial<RunResult> = {}): RunResult {
    return {
      ...this.base,
      status,
      oomKilled: this.states.some((state) => state.oomKilled),
      children: [...this.children],
      steps: this.states.map((state) => ({ ...state })),
      timeline: mergeTimeline(
        this.base.timeline ?? [],
        (this.watch?.entries() ?? []).filter((entry) => entry.object.startsWith("Workflow/")),
      ),
      ...extra,
    };
  }

  private async settle(watch: RunWatch, outcome: Outcome): Promise<RunResult> {
    this.settling = true;
    const { namespace, name } = this.base.cluster;
    let deleteFailure: unknown;
    if (outcome === "cancelled") {
      await this.api()
        .deleteNamespacedCustomObject({
          ...workloadResource("Workflow"),
          namespace,
          name,
          propagationPolicy: "Background",
        })
        .catch((error: unknown) => {
          if (httpStatus(error) !== 404)
            deleteFailure = apiFailure(error, this.conn.target, `delete Workflow ${name}`);
        });
    } else if (outcome !== "detached") {
      // The Workflow's end comes through one watch, its pods' ends through another: each pod's end is awaited a moment.
      await this.podsSettled(watch);
      const live = new Set(watch.pods().map((pod) => pod.metadata?.name));
      for (const pod of watch.allPods()) {
        const step = this.stepOf(pod);
        const podName = pod.metadata?.name;
        if (!step || !podName) continue;
        const attempt = this.tries.get(podName) ?? this.startTry(step, pod);
        if (attempt.ended) continue;
        if (isEnded(pod)) this.endTry(attempt, pod);
        // Not seen ending in time (or gone): its Argo node says how it ended.
        else void this.closeGone(attempt, pod, watch, live.has(podName));
      }
    }
    // What is left: cancelled with the Workflow, left as it stands (detached, or a delete that failed).
    const leave = outcome === "detached" || deleteFailure !== undefined;
    for (const attempt of this.tries.values()) void attempt.stop(leave);
    await Promise.all([...this.tries.values()].map((attempt) => attempt.ended));
    if (outcome === "detached") {
      const left = this.snapshot(this.liveStatus());
      await this.recorder.close();
      await this.saver.finish(left);
      return left;
    }
    if (!deleteFailure) this.lookSteps(watch);
    return this.finish(deleteFailure ? "delete-failed" : outcome, { deleteFailure });
  }

  /** Until every pod of the Workflow's Pod nodes is seen ended or gone, for a moment at most. */
  private async podsSettled(watch: RunWatch): Promise<void> {
    await watch.seenWithin(() => {
      const nodes = Object.values((watch.workload() as WorkflowObject | undefined)?.status?.nodes ?? {});
      const live = new Map(
        watch.pods().map((pod) => [pod.metadata?.annotations?.["workflows.argoproj.io/node-id"], pod]),
      );
      return nodes
        .filter((node) => node.type === "Pod")
        .every((node) => {
          const pod = live.get(node.id);
          return !pod || isEnded(pod);
        });
    }, PODS_SETTLE_MS);
  }

  /** The pipeline's last record: every step that did not run says why, the failed ones are the diagnosis. */
  private async finish(
    outcome: Exclude<Outcome, "detached"> | "delete-failed",
    why: { deleteFailure?: unknown; gone?: Diagnosis } = {},
  ): Promise<RunResult> {
    const cancelled = outcome === "cancelled";
    // A Workflow that could not be deleted goes on: its steps stay as they were last seen.
    for (const state of outcome === "delete-failed" ? [] : this.states) {
      if (state.status === "running" && cancelled)
        this.update(state.name, { status: "cancelled", reason: "the pipeline was cancelled" });
      else if (state.status === "pending" || state.status === "running")
        this.update(state.name, {
          status: "not-run",
          reason: cancelled
            ? "the pipeline was cancelled"
            : (this.reasonOf(state.name, undefined) ?? "the Workflow ended before it ran"),
        });
    }
    const { namespace, name } = this.base.cluster;
    const failed = this.states.some((state) => state.status === "failed");
    // A Workflow that could not be deleted is still there: the record keeps saying it runs.
    const status: RunStatus =
      outcome === "delete-failed"
        ? "running"
        : outcome === "cancelled"
          ? "cancelled"
          : failed
            ? "failed"
            : outcome!.status;
    const diagnosis: Diagnosis[] = stepFailures(this.states);
    if (
      outcome !== "cancelled" &&
      outcome !== "delete-failed" &&
      outcome?.status === "failed" &&
      diagnosis.length === 0
    ) {
      diagnosis.push({
        code: "WorkflowFailed",
        severity: "error",
        message: `The Workflow ${name} ${outcome.reason === "Error" ? "ended in error" : "failed"}${outcome.message ? `: ${outcome.message}` : ""}.`,
        fix: `Look at the Workflow on the cluster (kubectl -n ${namespace} get workflow ${name} -o yaml) for what its controller says.`,
      });
    }
    if (why.gone) diagnosis.unshift(why.gone);
    else if (outcome === "delete-failed")
      diagnosis.unshift({
        code: "CancelFailed",
        severity: "error",
        message: `Cancelling did not delete the Workflow ${name}: it is still on the cluster, and its steps go on.`,
        fix: `Cancel the run again, or delete it on the cluster (kubectl -n ${namespace} delete workflow ${name}).`,
      });
    else if (outcome === "cancelled")
      diagnosis.unshift({
        code: "Cancelled",
        severity: "info",
        message: "The pipeline was cancelled; its Workflow and pods were deleted from the cluster.",
        fix: "Run it again when ready.",
      });
    const finishedAt = new Date().toISOString();
    const final = this.snapshot(status, {
      exitCode: status === "succeeded" ? 0 : status === "failed" ? 1 : null,
      diagnosis,
      ...(outcome !== "delete-failed" && {
        finishedAt,
        durationMs: Date.parse(finishedAt) - Date.parse(this.base.startedAt ?? finishedAt),
      }),
    });
    await this.recorder.close();
    await this.saver.finish(final);
    if (why.deleteFailure) throw why.deleteFailure;
    return final;
  }
}

function isEnded(pod: V1Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/**
 * Follows a pipeline's Workflow again, from its record, after the process that followed it went
 * away (a window reloaded, a CLI killed): as `attachClusterRun` does for a job, with the same
 * checks (the same cluster, or the one it moved to; reading allowed) and the same controls (cancel
 * deletes the Workflow, detach leaves it running). A finished record is returned as it is.
 */
export function attachPipelineRun(
  conn: KubeConnection,
  stored: StoredRun,
  options: { movedFrom?: string } = {},
): DetachableRunHandle {
  return createDetachableRunHandle(stored.result.runId, async (controls) => {
    const ref = stored.result.cluster;
    if (!ref || !isUnfinishedClusterRun(stored.result)) return stored.result;
    if (!options.movedFrom) requireSameCluster(conn, stored.result.runId, ref);
    await requireAllowed(
      conn,
      workflowPermissions(ref.namespace).filter((check) => !["create", "delete"].includes(check.verb)),
    );
    const { recorder, current } = await RunRecorder.reopen(stored);
    try {
      const cluster = current.result.cluster;
      // The record as it is now: its follower may have finished it since `stored` was read.
      if (!cluster || !isUnfinishedClusterRun(current.result)) return current.result;
      const base = options.movedFrom
        ? {
            ...current.result,
            cluster: { ...cluster, server: conn.target.server },
            timeline: [...(current.result.timeline ?? []), movedEntry(cluster, conn.target.server)],
          }
        : { ...current.result, cluster };
      const workspaceDir = workspaceOfRunDir(stored.dir);
      const steps = (base.steps ?? []).map((state) => ({ name: state.name, after: state.after ?? [] }));
      const follower = new WorkflowFollower(
        conn,
        { workspaceDir, steps },
        base,
        recorder,
        { print: () => undefined, onLog: (line) => controls.logs.fire(line) },
        { cancel: controls.cancel, detach: controls.detach },
      );
      const result = await follower.resume();
      controls.status.fire(result.status);
      return result;
    } finally {
      await recorder.release();
    }
  });
}
