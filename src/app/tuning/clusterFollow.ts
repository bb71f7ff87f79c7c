import { CoreV1Api, CustomObjectsApi, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import type { ClusterRunRef, LogLine, RunRecordWriter, RunResult, RunStatus } from "../../core/job/types";
import { labelValue, RUN_LABEL, workloadResource } from "../../core/manifests";
import { experimentEnd, optimalTrial, trialFromKatib, type KatibTrial } from "../../core/tuning/katibStatus";
import type { ExperimentRecord } from "../../core/tuning/record";
import { describeAssignment, recordedObjective } from "../../core/tuning/record";
import type { Objective, TrialState } from "../../core/tuning/types";
import type { Print } from "../context";
import { PodRun, type PodRunHost, type PodShape } from "../targets/cluster/podRun";
import { COLLECTOR_CONTAINER, trialContainers, trialLogLine } from "../../core/tuning/collectorLog";
import { createInformer } from "../../targets/kube/informer";
import { createCustomWorkload } from "../../targets/kube/clusterRun";
import { currentWorkload } from "../../targets/kube/attachRun";
import { workloadGoneSince } from "../../core/diagnosis/cluster/workloadGone";
import type { KubeConnection } from "../../targets/kube/connection";
import { apiFailure } from "../../targets/kube/kubeErrors";
import { RunWatch, type WorkloadObject } from "../../targets/kube/runWatch";
import { readRecordOf, RunRecorder, type StoredRun } from "../store/runStore";
import { workspaceOfRunDir } from "../store/runRef";
import { requireSameCluster } from "../targets/cluster/runs";
import { isUnfinishedClusterRun } from "../../core/workload/status";
import { createDetachableRunHandle, type DetachableRunHandle } from "../../targets/runHandle";

/** Katib's label on its Trials and their pods. */
const EXPERIMENT_LABEL = "katib.kubeflow.org/experiment";
/** How long the experiment's end waits for its ended trials' pods, which come through another watch. */
const PODS_SETTLE_MS = 10_000;
/** The trial's Job's pods carry its name. */
const JOB_NAME_LABELS = ["batch.kubernetes.io/job-name", "job-name"];
/**
 * How a trial's pod is read: its training container is the trial's; Katib's collector's lines are
 * read for what the trial printed only where it logs the trial's output again (StdOut).
 */
function trialPod(pod: V1Pod | undefined): PodShape {
  const { main, collectorLogsOutput } = trialContainers(pod);
  const isMain = (container: string): boolean =>
    main ? container === main : container !== COLLECTOR_CONTAINER;
  return {
    isMain,
    follows: (container) => isMain(container) || (collectorLogsOutput && container === COLLECTOR_CONTAINER),
    logText: trialLogLine,
  };
}

export interface ExperimentListeners {
  print: Print;
  onStart?(run: { workspaceDir: string; runId: string }): void;
  onTrial?(trial: TrialState, best?: ExperimentRecord["best"]): void;
  /** A line a trial printed, with the trial's name as its source. */
  onLog?(line: LogLine): void;
}

/**
 * Follows a Katib Experiment on a cluster to its end, through what Katib writes: the Experiment's
 * conditions and currentOptimalTrial, its Trials (values, conditions, observation), and the pods
 * of their Jobs (the run's label). Each trial is recorded as a cluster job run of its own from its
 * pod's start (its run id is the trial's name, so a process following the experiment again finds
 * it), its pod's log followed as it is written, its timeline and diagnosis a job's. Cancelling
 * deletes the Experiment; Katib deletes its trials with it.
 */
export class ExperimentFollower {
  /** Each trial's own run, from its pod's start (or its end, for a trial that never had a pod). */
  private readonly runs = new Map<string, PodRun>();
  /** The watch of the Experiment and its pods, once following. */
  private watch?: RunWatch;
  private trials: TrialState[];
  private best?: ExperimentRecord["best"];
  /** Once the experiment's end is decided (or it is cancelled or detached): changes no longer move it. */
  private settling = false;

  constructor(
    private readonly conn: KubeConnection,
    private readonly workspaceDir: string,
    private base: RunResult & { cluster: ClusterRunRef; experiment: ExperimentRecord },
    private readonly objective: Objective,
    private readonly recorder: RunRecordWriter,
    private readonly listeners: ExperimentListeners,
    private readonly signals: { cancel: AbortSignal; detach?: AbortSignal },
  ) {
    this.trials = [...base.experiment.trials];
    this.best = base.experiment.best;
  }

  /** Records the experiment, creates its Experiment and follows it to its end. */
  async submit(manifest: KubernetesObject): Promise<RunResult> {
    const { namespace, name } = this.base.cluster;
    await this.recorder.save(this.snapshot("pending"));
    this.listeners.onStart?.({ workspaceDir: this.workspaceDir, runId: this.base.runId });
    const uid = await createCustomWorkload(this.conn, this.base.cluster, manifest, async () => {
      await this.recorder.close();
      await this.recorder.save({ ...this.snapshot("failed"), finishedAt: new Date().toISOString() });
    });
    this.base = { ...this.base, cluster: { ...this.base.cluster, uid } };
    this.listeners.print(`Submitted Experiment ${namespace}/${name} (experiment ${this.base.runId}).`);
    return this.follow();
  }

  /**
   * Follows again an experiment whose follower went away: an Experiment deleted (or replaced)
   * meanwhile ends it cancelled, with that said; its trials' runs taken up are ended with it.
   */
  async resume(): Promise<RunResult> {
    const ref = this.base.cluster;
    const workload = await currentWorkload(this.conn, ref);
    const gone = workloadGoneSince(ref, workload, this.base.runId);
    if (!gone) return this.follow();
    await this.takeUp();
    this.trials = this.trials.map((trial) =>
      ["running", "pending"].includes(trial.status)
        ? { ...trial, status: "cancelled", reason: "the experiment was deleted" }
        : trial,
    );
    await Promise.allSettled([...this.runs.values()].map((run) => run.ended ?? run.stop(false)));
    const finishedAt = new Date().toISOString();
    const snapshot = this.snapshot("cancelled");
    const final: RunResult = {
      ...snapshot,
      exitCode: null,
      experiment: { ...snapshot.experiment!, reason: "ExperimentDeleted" },
      finishedAt,
      ...(this.base.startedAt && { durationMs: Date.parse(finishedAt) - Date.parse(this.base.startedAt) }),
      diagnosis: [gone],
    };
    await this.recorder.close();
    await this.recorder.save(final);
    return final;
  }

  async follow(): Promise<RunResult> {
    try {
      return await this.followTrials();
    } catch (error) {
      // Not settled (an Experiment that could not be deleted, a record not taken up): each trial's
      // run is left as it stands, its claim released, for whoever follows the experiment next.
      await Promise.allSettled([...this.runs.values()].map((run) => run.ended ?? run.stop(true)));
      throw error;
    }
  }

  private async followTrials(): Promise<RunResult> {
    await this.takeUp();
    const { namespace, name } = this.base.cluster;
    const watch = new RunWatch(
      this.conn,
      { ...workloadResource("Experiment"), namespace, kind: "Experiment", name },
      `${RUN_LABEL}=${labelValue(this.base.runId)}`,
    );
    this.watch = watch;
    const trials = createInformer<KatibTrial & KubernetesObject>(this.conn, {
      path: `/apis/kubeflow.org/v1beta1/namespaces/${namespace}/trials`,
      labelSelector: `${EXPERIMENT_LABEL}=${name}`,
    });
    try {
      const outcome = await new Promise<"cancelled" | "detached" | "ended" | "deleted">((decided) => {
        const resolve = (value: "cancelled" | "detached" | "ended" | "deleted"): void => {
          this.settling = true;
          decided(value);
        };
        const { cancel, detach } = this.signals;
        if (cancel.aborted) resolve("cancelled");
        cancel.addEventListener("abort", () => resolve("cancelled"), { once: true });
        if (detach?.aborted) resolve("detached");
        detach?.addEventListener("abort", () => resolve("detached"), { once: true });
        // Until the Trials are listed, what the record holds of them is all there is to say.
        let listed = false;
        const look = (): void => {
          if (this.settling || !listed) return;
          this.look(watch, trials.items());
          if (experimentEnd(watch.workload() as WorkloadObject | undefined)) resolve("ended");
          else if (watch.workloadDeleted) resolve("deleted");
        };
        watch.onChange(look);
        trials.onChange((change) => {
          if (change.type === "synced") listed = true;
          look();
        });
        watch.start();
        trials.start();
      });
      return await this.settle(outcome, watch, trials.items());
    } finally {
      watch.dispose();
      trials.stop();
    }
  }

  private api(): CustomObjectsApi {
    return this.conn.config.makeApiClient(CustomObjectsApi);
  }

  /** Every change: the trials as Katib has them, each one's run as its pod stands, ended ones finished. */
  private look(watch: RunWatch, katib: KatibTrial[]): void {
    const before = new Map(this.trials.map((trial) => [trial.name, trial]));
    const listed = katib.map((trial) => trialFromKatib(trial, this.objective)).filter((trial) => trial.name);
    const names = new Set(listed.map((trial) => trial.name));
    // A trial Katib no longer lists (deleted with its Experiment) stays as it was last seen.
    this.trials = [...listed, ...this.trials.filter((trial) => !names.has(trial.name))].sort(
      (a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a.name.localeCompare(b.name),
    );
    this.best = optimalTrial(watch.workload() as never, this.objective) ?? this.best;
    this.lookPods(watch);
    for (const trial of this.trials) {
      const was = before.get(trial.name);
      if (was?.status === trial.status) continue;
      if (trial.status === "running" && was?.status !== "running")
        this.listeners.print(`${trial.name}: started with ${describeAssignment(trial.parameters)}`);
      if (!["running", "pending"].includes(trial.status)) {
        const value =
          trial.objective !== undefined ? ` (${this.objective.objectiveMetricName}=${trial.objective})` : "";
        const best = this.best
          ? `; best so far ${this.best.trial} (${this.objective.objectiveMetricName}=${this.best.objective})`
          : "";
        this.listeners.print(
          `${trial.name}: ${trial.status}${value}${trial.reason ? ` (${trial.reason})` : ""}${best}`,
        );
      }
      this.listeners.onTrial?.({ ...trial, runId: trial.name }, this.best);
    }
    // Every ended trial's run ends, also one an earlier follower saw end but did not finish recording.
    for (const trial of this.trials)
      if (!["running", "pending"].includes(trial.status)) this.endTrial(trial, watch);
    void this.recorder.save(this.snapshot("running")).catch(() => undefined);
  }

  /** Each trial's pod: its run started when it first shows, followed while it runs. */
  private lookPods(watch: RunWatch): void {
    const live = new Set(watch.pods().map((pod) => pod.metadata?.name));
    for (const pod of watch.allPods()) {
      const trial = this.trials.find((each) => each.name === trialOf(pod));
      if (!trial || !live.has(pod.metadata?.name)) continue;
      const run = this.runs.get(trial.name) ?? this.startRun(trial, pod);
      if (!run.ended && run.pod === pod.metadata?.name) run.follow(pod);
    }
  }

  /** What a trial's run is a part of, and how its pod's lines reach the listeners. */
  private host(): PodRunHost {
    return {
      conn: this.conn,
      workspaceDir: this.workspaceDir,
      print: this.listeners.print,
      onLog: this.listeners.onLog,
      events: (pod) => (this.watch?.entries() ?? []).filter((entry) => entry.object.includes(pod)),
    };
  }

  /** A trial's run, from its pod (or none): a cluster job run named after the trial, a child of the experiment's. */
  private startRun(trial: TrialState, pod: V1Pod | undefined): PodRun {
    const run = PodRun.start(
      this.host(),
      trialPod(pod),
      {
        label: trial.name,
        runId: trial.name,
        parent: this.base,
        fields: {
          trial: trial.name,
          ...(trial.startedAt && { startedAt: trial.startedAt }),
          cluster: {
            ...this.base.cluster,
            kind: "Job",
            apiVersion: "batch/v1",
            name: trial.name,
            uid: undefined,
          },
        },
      },
      pod,
    );
    this.runs.set(trial.name, run);
    return run;
  }

  /**
   * A trial Katib says ended: its run finished with its pod's last lines, as the trial ended. A run
   * taken up from an earlier follower waits for its pod to be seen (its last lines are read from
   * it), unless `now` (the experiment is settling).
   */
  private endTrial(trial: TrialState, watch: RunWatch, now = false): void {
    const pods = watch.allPods().filter((pod) => trialOf(pod) === trial.name);
    // Its pod comes through another watch than its Trial: until seen (or settling), it is waited for.
    if (!now && !this.runs.has(trial.name) && pods.length === 0) return;
    const run = this.runs.get(trial.name) ?? this.startRun(trial, pods[0]);
    if (run.ended) return;
    const pod = pods.find((each) => each.metadata?.name === run.pod);
    if (!pod && !now && run.pod !== trial.name) return;
    const live = watch.pods().some((each) => each.metadata?.name === run.pod);
    const status: RunStatus =
      trial.status === "succeeded" ||
      trial.status === "metrics-unavailable" ||
      trial.status === "early-stopped"
        ? "succeeded"
        : trial.status === "cancelled"
          ? "cancelled"
          : "failed";
    void run
      .end(pod, status, { gone: !live, extra: trial.finishedAt ? { finishedAt: trial.finishedAt } : {} })
      .catch(() => undefined);
  }

  /**
   * Trials an earlier follower of this experiment recorded: ended ones stay as they are, one still
   * going is followed from where its log stops (its pod is found by its Job's name).
   */
  private async takeUp(): Promise<void> {
    const going: RunResult[] = [];
    for (const trial of this.trials) {
      const stored = await readRecordOf({ workspaceDir: this.workspaceDir, runId: trial.name });
      if (stored) going.push(stored);
    }
    if (going.length === 0) return;
    const pods = going.some((record) => !record.finishedAt) ? await this.trialPods() : [];
    for (const record of going) {
      const pod = pods.find((each) => trialOf(each) === record.runId);
      this.runs.set(
        record.runId,
        await PodRun.takeUp(
          this.host(),
          trialPod(pod),
          record.runId,
          pod?.metadata?.name ?? record.runId,
          record,
        ),
      );
    }
  }

  /** The experiment's trials' pods as the cluster has them now. */
  private async trialPods(): Promise<V1Pod[]> {
    const core = this.conn.config.makeApiClient(CoreV1Api);
    const { namespace } = this.base.cluster;
    const list = await core
      .listNamespacedPod({ namespace, labelSelector: `${RUN_LABEL}=${labelValue(this.base.runId)}` })
      .catch(() => undefined);
    return list?.items ?? [];
  }

  private snapshot(status: RunStatus, extra: Partial<RunResult> = {}): RunResult {
    return {
      ...this.base,
      status,
      children: this.trials.map((trial) => trial.name),
      experiment: {
        ...this.base.experiment,
        trials: this.trials.map((trial) => ({ ...trial, runId: trial.name })),
        ...(this.best && { best: this.best }),
      },
      ...extra,
    };
  }

  private async settle(
    outcome: "cancelled" | "detached" | "ended" | "deleted",
    watch: RunWatch,
    katib: KatibTrial[],
  ): Promise<RunResult> {
    if (outcome === "detached") {
      // Left running: each trial's run is left as it stands, for whoever follows the experiment next.
      await Promise.allSettled([...this.runs.values()].map((run) => run.stop(true)));
      return this.snapshot("running");
    }
    // The ended trials' pods come through another watch than the Trials: each is awaited a moment,
    // so that its run ends with its pod's whole log.
    const ended = katib
      .map((trial) => trialFromKatib(trial, this.objective))
      .filter((trial) => trial.name && !["running", "pending"].includes(trial.status));
    await watch.seenWithin(
      () => ended.every((trial) => watch.allPods().some((pod) => trialOf(pod) === trial.name)),
      PODS_SETTLE_MS,
    );
    this.look(watch, katib);
    const { namespace, name } = this.base.cluster;
    if (outcome === "cancelled") {
      await this.api()
        .deleteNamespacedCustomObject({
          ...workloadResource("Experiment"),
          namespace,
          name,
          propagationPolicy: "Background",
        })
        .catch((error: unknown) => {
          throw apiFailure(error, this.conn.target, `delete Experiment ${name} in ${namespace}`);
        });
      this.listeners.print(`Deleted Experiment ${namespace}/${name}; Katib deletes its trials with it.`);
    }
    const end = experimentEnd(watch.workload() as WorkloadObject | undefined);
    const status: RunStatus = outcome === "ended" && end ? end.status : "cancelled";
    this.trials = this.trials.map((trial) =>
      ["running", "pending"].includes(trial.status)
        ? { ...trial, status: "cancelled", reason: "the experiment was deleted" }
        : trial,
    );
    for (const trial of this.trials.filter((each) => !["running", "pending"].includes(each.status)))
      this.endTrial(trial, watch, true);
    // Every trial's record is written before the experiment's says it ended.
    await Promise.allSettled([...this.runs.values()].map((run) => run.ended ?? run.stop(false)));
    const finishedAt = new Date().toISOString();
    const reason = end?.reason ?? (outcome === "deleted" ? "ExperimentDeleted" : "Cancelled");
    if (end) this.listeners.print(end.message);
    const final: RunResult = {
      ...this.snapshot(status),
      exitCode: status === "succeeded" ? 0 : status === "cancelled" ? null : 1,
      experiment: { ...this.snapshot(status).experiment!, reason },
      finishedAt,
      ...(this.base.startedAt && { durationMs: Date.parse(finishedAt) - Date.parse(this.base.startedAt) }),
      diagnosis:
        status === "failed"
          ? [
              {
                code: "ExperimentFailed",
                severity: "error",
                message: `The Experiment ${namespace}/${name} failed: ${end?.message ?? reason}.`.replace(
                  /\.\.$/,
                  ".",
                ),
                fix: `Open a failed trial's run for its logs and diagnosis: parity logs ${this.trials.find((trial) => trial.status === "failed")?.name ?? this.base.runId}`,
              },
            ]
          : [],
    };
    await this.recorder.close();
    await this.recorder.save(final);
    return final;
  }
}

/** Follows again an experiment on a cluster whose follower went away (the extension at start-up, `parity logs --follow`). */
export function attachExperimentRun(
  conn: KubeConnection,
  stored: StoredRun,
  options: { movedFrom?: string } = {},
): DetachableRunHandle {
  return createDetachableRunHandle(stored.result.runId, async (controls) => {
    const ref = stored.result.cluster;
    if (!ref || !stored.result.experiment || !isUnfinishedClusterRun(stored.result)) return stored.result;
    if (!options.movedFrom) requireSameCluster(conn, stored.result.runId, ref);
    const { recorder, current } = await RunRecorder.reopen(stored);
    try {
      const { cluster, experiment } = current.result;
      // The record as it is now: its follower may have finished it since `stored` was read.
      if (!cluster || !experiment || !isUnfinishedClusterRun(current.result)) return current.result;
      const follower = new ExperimentFollower(
        conn,
        workspaceOfRunDir(stored.dir),
        { ...current.result, cluster: { ...cluster, server: conn.target.server }, experiment },
        recordedObjective(experiment),
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

/** The trial a pod of the experiment runs (its Job's name is the trial's). */
function trialOf(pod: V1Pod): string | undefined {
  const labels = pod.metadata?.labels ?? {};
  return JOB_NAME_LABELS.map((label) => labels[label]).find(Boolean);
}
