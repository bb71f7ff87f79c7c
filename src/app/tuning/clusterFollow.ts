import { CoreV1Api, CustomObjectsApi, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { diagnoseClusterRun } from "../../core/diagnosis/cluster/diagnoseCluster";
import type { ClusterRunRef, LogLine, RunRecordWriter, RunResult, RunStatus } from "../../core/job/types";
import { labelValue, RUN_LABEL, workloadResource } from "../../core/manifests";
import { experimentEnd, optimalTrial, trialFromKatib, type KatibTrial } from "../../core/tuning/katibStatus";
import type { ExperimentRecord } from "../../core/tuning/record";
import { describeAssignment, recordedObjective } from "../../core/tuning/record";
import type { Objective, TrialState } from "../../core/tuning/types";
import type { Print } from "../context";
import { createInformer } from "../../targets/kube/informer";
import { createCustomWorkload } from "../../targets/kube/clusterRun";
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
/** The container Katib's webhook adds beside the trial's, which re-logs what the trial prints. */
const COLLECTOR_CONTAINER = "metrics-logger-and-collector";
/**
 * What Katib's collector logs of its own among the trial's lines it logs again: its first line,
 * and its report of what it collected. Its warnings (W) and lines without klog's header (the
 * report's body) are its own too.
 */
const COLLECTOR_OWN = [
  /^Trial Name: \S+$/,
  /^Metrics reported\. :/,
  /^Objective metric \S+ is not found in training logs/,
];
const KLOG_HEADER = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]]+\] /;

export interface ExperimentListeners {
  print: Print;
  onStart?(run: { workspaceDir: string; runId: string }): void;
  onTrial?(trial: TrialState, best?: ExperimentRecord["best"]): void;
}

/**
 * Follows a Katib Experiment on a cluster to its end, through what Katib writes: the Experiment's
 * conditions and currentOptimalTrial, its Trials (values, conditions, observation), and the pods
 * of their Jobs (the run's label). Each trial that ends is recorded as a cluster job run of its own
 * (its run id is the trial's name, so a process following the experiment again finds it) with its
 * pod's log and diagnosis. Cancelling deletes the Experiment; Katib deletes its trials with it.
 */
export class ExperimentFollower {
  private readonly recorded = new Set<string>();
  /** Trials' records being written: the experiment's end waits for them. */
  private readonly recording: Promise<void>[] = [];
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

  async follow(): Promise<RunResult> {
    for (const trial of this.trials) {
      const stored = await readRecordOf({ workspaceDir: this.workspaceDir, runId: trial.name });
      if (stored?.finishedAt) this.recorded.add(trial.name);
    }
    const { namespace, name } = this.base.cluster;
    const watch = new RunWatch(
      this.conn,
      { ...workloadResource("Experiment"), namespace, kind: "Experiment", name },
      `${RUN_LABEL}=${labelValue(this.base.runId)}`,
    );
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
        const look = (): void => {
          if (this.settling) return;
          this.look(watch, trials.items());
          if (experimentEnd(watch.workload() as WorkloadObject | undefined)) resolve("ended");
          else if (watch.workloadDeleted) resolve("deleted");
        };
        watch.onChange(look);
        trials.onChange(look);
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

  /** Every change: the trials as Katib has them, each one that ended recorded with its pod's log. */
  private look(watch: RunWatch, katib: KatibTrial[]): void {
    const before = new Map(this.trials.map((trial) => [trial.name, trial]));
    this.trials = katib
      .map((trial) => trialFromKatib(trial, this.objective))
      .filter((trial) => trial.name)
      .sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a.name.localeCompare(b.name));
    this.best = optimalTrial(watch.workload() as never, this.objective) ?? this.best;
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
        this.recording.push(this.recordTrial(trial, watch).catch(() => undefined));
      }
      this.listeners.onTrial?.({ ...trial, runId: trial.name }, this.best);
    }
    void this.recorder.save(this.snapshot("running")).catch(() => undefined);
  }

  /** An ended trial's own record: a cluster job run named after it, its pod's log and diagnosis. */
  private async recordTrial(trial: TrialState, watch: RunWatch): Promise<void> {
    if (this.recorded.has(trial.name)) return;
    this.recorded.add(trial.name);
    const pod = watch
      .allPods()
      .find((each) =>
        [
          each.metadata?.labels?.["job-name"],
          each.metadata?.labels?.["batch.kubernetes.io/job-name"],
        ].includes(trial.name),
      );
    const lines = pod ? await this.podLog(pod) : [];
    const status: RunStatus =
      trial.status === "succeeded" ||
      trial.status === "metrics-unavailable" ||
      trial.status === "early-stopped"
        ? "succeeded"
        : trial.status === "cancelled"
          ? "cancelled"
          : "failed";
    const terminated = pod?.status?.containerStatuses?.find((each) => each.name !== COLLECTOR_CONTAINER)
      ?.state?.terminated;
    const recorder = await RunRecorder.create(this.workspaceDir, trial.name);
    try {
      for (const line of lines) await recorder.log(line);
      await recorder.close();
      await recorder.save({
        runId: trial.name,
        kind: "job",
        target: "cluster",
        status,
        parent: this.base.runId,
        trial: trial.name,
        exitCode: terminated?.exitCode ?? null,
        oomKilled: terminated?.reason === "OOMKilled",
        image: this.base.image,
        notebook: this.base.notebook,
        ...(trial.startedAt && { startedAt: trial.startedAt }),
        ...(trial.finishedAt && { finishedAt: trial.finishedAt }),
        memoryLimitBytes: this.base.memoryLimitBytes,
        cluster: {
          ...this.base.cluster,
          kind: "Job",
          apiVersion: "batch/v1",
          name: trial.name,
          uid: undefined,
        },
        diagnosis: diagnoseClusterRun({
          kind: "Job",
          status,
          pods: pod ? [pod] : [],
          events: watch
            .entries()
            .filter((entry) => pod?.metadata?.name && entry.object.includes(pod.metadata.name)),
          memoryLimitBytes: this.base.memoryLimitBytes,
          logTail: lines.slice(-200).map((line) => line.text),
        }),
      });
    } finally {
      await recorder.release();
    }
  }

  /** What the trial printed: its own container's log, or (Katib's collector redirects it) the collector's, klog headers taken off. */
  private async podLog(pod: V1Pod): Promise<LogLine[]> {
    const core = this.conn.config.makeApiClient(CoreV1Api);
    const namespace = pod.metadata?.namespace ?? this.base.cluster.namespace;
    const name = pod.metadata?.name ?? "";
    const containers = pod.spec?.containers.map((each) => each.name) ?? [];
    const own = containers.find((each) => each !== COLLECTOR_CONTAINER);
    const read = async (container: string | undefined): Promise<string> =>
      container
        ? ((await core
            .readNamespacedPodLog({ name, namespace, container, timestamps: true })
            .catch(() => "")) as string)
        : "";
    let text = await read(own);
    let collector = false;
    if (!text.trim() && containers.includes(COLLECTOR_CONTAINER)) {
      text = await read(COLLECTOR_CONTAINER);
      collector = true;
    }
    const lines = text
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => {
        const at = line.indexOf(" ");
        const time = Date.parse(line.slice(0, at));
        const body = Number.isFinite(time) ? line.slice(at + 1) : line;
        return { body, time: Number.isFinite(time) ? time : Date.now() };
      })
      // Through the collector: only what it logged again (klog's Info lines), its header taken off.
      .filter(({ body }) => !collector || (body.startsWith("I") && KLOG_HEADER.test(body)))
      .map(({ body, time }) => ({
        stream: "stdout" as const,
        text: collector ? body.replace(KLOG_HEADER, "") : body,
        time,
      }));
    // Its own first line and report are the collector's, not the trial's.
    return collector ? lines.filter((line) => !COLLECTOR_OWN.some((own) => own.test(line.text))) : lines;
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
    if (outcome === "detached") return this.snapshot("running");
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
    for (const trial of this.trials.filter((each) => each.status === "cancelled"))
      this.recording.push(this.recordTrial(trial, watch).catch(() => undefined));
    // Every ended trial's record is written before the experiment's says it ended.
    await Promise.allSettled(this.recording);
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
        { print: () => undefined },
        { cancel: controls.cancel, detach: controls.detach },
      );
      const result = await follower.follow();
      controls.status.fire(result.status);
      return result;
    } finally {
      await recorder.release();
    }
  });
}
