import { homedir } from "node:os";
import path from "node:path";
import { CustomObjectsApi, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { diagnoseClusterRun } from "../../core/diagnosis/cluster/diagnoseCluster";
import type { Diagnosis } from "../../core/diagnosis/types";
import { CancelledError, ParityError } from "../../core/errors";
import { Emitter } from "../../core/events";
import type { ClusterRunRef, LogLine, RunRecordWriter, RunResult, RunStatus } from "../../core/job/types";
import { jobNameFor, labelValue, RUN_LABEL, workloadResource } from "../../core/manifests";
import { argoStepNodes, workflowOutcome, type WorkflowObject } from "../../core/pipeline/argo/status";
import { writeArgoWorkflow, type ArgoPlan } from "../../core/pipeline/argo/write";
import { engineStepNames, typedParameters } from "../../core/pipeline/compiled";
import type { Pipeline, PipelineStep, PipelineStepState } from "../../core/pipeline/types";
import type { Prediction } from "../../core/preflight";
import { requireAllowed } from "../../targets/kube/access";
import type { KubeConnection } from "../../targets/kube/connection";
import { apiFailure, httpStatus } from "../../targets/kube/kubeErrors";
import { RecordSaver } from "../../targets/kube/recordSaver";
import { RunLogs } from "../../targets/kube/runLogs";
import { RunWatch } from "../../targets/kube/runWatch";
import { RunOutput } from "../../targets/runOutput";
import { credentialsFor, type RegistryCredentials } from "../../targets/registry/credentials";
import { deliverImage, withoutRegistry } from "../../targets/registry/deliver";
import type { SessionContext } from "../context";
import { resolveProfileFor } from "../job/load";
import { locateInProfile } from "../job/session";
import { checkPipelineFile } from "./check";
import { newRunId, RunRecorder } from "../store/runStore";
import { argoServed, connectPipelineCluster, predictSteps, workflowPermissions } from "./clusterCheck";
import type { PreparedPipeline } from "./formats/format";
import { preparePipeline } from "./prepare";
import { describePipeline, stepFailures, type PipelineRunRequest } from "./runLocal";

export interface PipelineClusterRunRequest extends PipelineRunRequest {
  placement?: { context?: string; namespace?: string };
  registryCredentials?: RegistryCredentials;
  /** Asked when a step's pod would not schedule: true submits the Workflow anyway. Refused without it. */
  confirmUnschedulable?(steps: { name: string; prediction: Prediction }[]): Promise<boolean>;
}

/** The container of an Argo pod that runs the step (the others are Argo's own). */
const MAIN_CONTAINER = "main";

/**
 * Runs a pipeline on a Kubernetes cluster as an Argo Workflow: built here as for a local run, the
 * user's permissions and Argo checked and each step's pod predicted against the cluster before
 * anything is pushed, the images delivered as a job run's are, the Workflow submitted and followed
 * through its `status.nodes` and its pods: each try of a step a job run of its own (record, logs,
 * timeline, the diagnosis a cluster job gets), the pipeline's record listing where each step
 * stands. Cancelling deletes the Workflow, and with it its pods.
 */
export async function runPipelineOnCluster(
  context: SessionContext,
  request: PipelineClusterRunRequest,
): Promise<RunResult> {
  const { print } = request;
  // Everything the cluster could refuse is asked before the slow part (build, push).
  const pipeline = await checkPipelineFile(context, request.file);
  const profile = await resolveProfileFor(path.dirname(pipeline.file), {
    profileFile: request.profile,
    cwd: context.cwd,
    env: context.env,
  });
  const overrides = workflowArguments(pipeline, request.params);
  const cluster = await connectPipelineCluster(context, request, profile.profile.cluster);
  const namespace = cluster.target.namespace;
  if (!profile.profile.image.registry) {
    try {
      withoutRegistry(`the images of ${pipeline.name}`, cluster.target.context);
    } catch (error) {
      throw locateInProfile(error, { profile });
    }
  }
  await requireAllowed(cluster, workflowPermissions(namespace));
  if ((await argoServed(cluster)) === false) {
    throw new ParityError(
      "ArgoNotInstalled",
      `The cluster (context ${cluster.target.context}) does not serve Argo's Workflow (workflows.argoproj.io): Argo Workflows is not installed there, so the pipeline cannot run on it.`,
      {
        fix: "Install Argo Workflows on the cluster, or compile the pipeline for its engine (parity pipeline compile --to kfp).",
      },
    );
  }
  const predictions = await predictSteps(cluster, pipeline, {
    limits: profile.limits,
    cluster: profile.profile.cluster,
    profileName: profile.name,
    workspaceDir: profile.dir,
  });
  const unschedulable = predictions.filter((step) => !step.prediction.schedulable);
  for (const { name, prediction } of predictions) {
    for (const problem of prediction.problems)
      print(`${problem.severity === "error" ? "✗" : "!"} ${name}: ${problem.message}`);
  }
  if (unschedulable.length > 0 && !(await request.confirmUnschedulable?.(predictions))) {
    throw new ParityError(
      "WouldNotSchedule",
      `The cluster cannot schedule the step${unschedulable.length === 1 ? "" : "s"} ${unschedulable.map((step) => step.name).join(", ")} as ${unschedulable.length === 1 ? "it is" : "they are"}; nothing was built or submitted.`,
      {
        fix:
          unschedulable[0]!.prediction.problems.find((problem) => problem.severity === "error")?.fix ??
          "See the problems above.",
      },
    );
  }
  if (context.signal.aborted) throw new CancelledError();

  const { connection: docker, prepared } = await preparePipeline(context, request);
  print(describePipeline(prepared.pipeline));
  const references = new Map<string, string>();
  let delivered: ClusterRunRef["imageDelivery"];
  for (const image of prepared.images) {
    const credentials =
      request.registryCredentials ??
      (prepared.registry
        ? await credentialsFor(prepared.registry.split("/")[0]!, {
            env: context.env,
            homeDir: context.env.HOME ?? homedir(),
          })
        : undefined);
    const delivery = await deliverImage(docker.docker, {
      localTag: image,
      registry: prepared.registry,
      kubeContext: cluster.target.context,
      credentials,
      signal: context.signal,
      onProgress: request.verbose ? (line) => print(`  ${line}`) : undefined,
    });
    references.set(image, delivery.reference);
    delivered = delivered === "pushed" ? delivered : delivery.action;
    print(`Image:    ${delivery.detail}`);
  }

  const runId = newRunId(prepared.pipeline.name);
  const workflow = workflowFor(prepared, overrides, runId, references);
  const recorder = await RunRecorder.create(prepared.base.workspaceDir, runId);
  try {
    return await new ClusterPipelineRun(context, request, cluster, prepared, runId, recorder).run(
      workflow,
      delivered,
    );
  } finally {
    await recorder.release();
  }
}

/**
 * The `-p name=value` overrides as the Workflow's arguments: only the pipeline's parameters Argo
 * passes (text, numbers, booleans), each value as written (the step's entry reads it for its type).
 */
function workflowArguments(pipeline: Pipeline, params: string[]): Map<string, string> {
  const { typed } = typedParameters(pipeline.parameters);
  const overrides = new Map<string, string>();
  for (const override of params) {
    const at = override.indexOf("=");
    const name = override.slice(0, Math.max(at, 0));
    if (at <= 0 || !typed.has(name)) {
      throw new ParityError(
        "PipelineParameterInvalid",
        `-p ${override} names no parameter the pipeline ${pipeline.name} passes on a cluster.`,
        {
          fix: `Give -p name=value with one of: ${[...typed.keys()].join(", ") || "(it takes none there)"}.`,
        },
      );
    }
    overrides.set(name, override.slice(at + 1));
  }
  return overrides;
}

/** The Workflow for this run: named after it, its pods labelled with it, the overrides as its arguments. */
function workflowFor(
  prepared: PreparedPipeline,
  overrides: Map<string, string>,
  runId: string,
  references: Map<string, string>,
): KubernetesObject {
  const { pipeline, format } = prepared;
  const image = (local: string) => references.get(local) ?? local;
  const plan: ArgoPlan = {
    image: prepared.images.map(image).join(", "),
    limits: prepared.base.limits,
    nodeSelector: prepared.cluster?.nodeSelector ?? {},
    tolerations: prepared.cluster?.tolerations ?? [],
    name: jobNameFor(runId),
    labels: { [RUN_LABEL]: labelValue(runId) },
    ...(format.argoContainer
      ? { container: (step, place) => format.argoContainer!(step, { ...place, image }) }
      : format.kfpPlan
        ? { steps: new Map(pipeline.steps.map((step) => [step.name, format.kfpPlan!(step)])) }
        : {}),
  };
  const { workflow } = writeArgoWorkflow(pipeline, plan);
  const parameters =
    (workflow.spec as { arguments?: { parameters: { name: string; value: string }[] } }).arguments
      ?.parameters ?? [];
  for (const parameter of parameters) {
    const value = overrides.get(parameter.name);
    if (value !== undefined) parameter.value = value;
  }
  return workflow as KubernetesObject;
}

/** One try of a step: its pod, its own record and logs. */
interface StepTry {
  step: string;
  runId: string;
  pod: string;
  recorder: RunRecorder;
  saver: RecordSaver;
  output: RunOutput;
  logs: RunLogs;
  record: RunResult;
  ended?: Promise<void>;
}

class ClusterPipelineRun {
  private readonly states: PipelineStepState[];
  private readonly children: string[] = [];
  private readonly tries = new Map<string, StepTry>();
  private readonly startedAt = new Date().toISOString();
  private readonly saver: RecordSaver;
  private readonly templates: Map<string, string>;
  private base!: RunResult & { cluster: ClusterRunRef };
  private watch?: RunWatch;

  constructor(
    private readonly context: SessionContext,
    private readonly request: PipelineClusterRunRequest,
    private readonly conn: KubeConnection,
    private readonly prepared: PreparedPipeline,
    private readonly runId: string,
    private readonly recorder: RunRecordWriter,
  ) {
    const { pipeline } = prepared;
    this.states = pipeline.steps.map((step) => ({ name: step.name, status: "pending", after: step.after }));
    this.saver = new RecordSaver(recorder);
    // Argo's template names are the steps' names as engines take them.
    this.templates = new Map(
      [...engineStepNames(pipeline.steps.map((step) => step.name))].map(([step, engine]) => [engine, step]),
    );
  }

  async run(workflow: KubernetesObject, imageDelivery: ClusterRunRef["imageDelivery"]): Promise<RunResult> {
    const resource = workloadResource("Workflow");
    const namespace = this.conn.target.namespace;
    const name = workflow.metadata!.name!;
    const ref: ClusterRunRef = {
      context: this.conn.target.context,
      server: this.conn.target.server,
      namespace,
      kind: "Workflow",
      apiVersion: resource.apiVersion,
      name,
      ...(imageDelivery && { imageDelivery }),
    };
    this.base = {
      runId: this.runId,
      kind: "pipeline",
      target: "cluster",
      status: "pending",
      exitCode: null,
      oomKilled: false,
      image: this.prepared.image,
      notebook: this.prepared.pipeline.file,
      startedAt: this.startedAt,
      memoryLimitBytes: this.prepared.base.limits.memoryBytes,
      diagnosis: [],
      cluster: ref,
      timeline: [],
    };
    await this.saver.flush(this.snapshot("pending"));
    this.request.onStart?.({
      workspaceDir: this.prepared.base.workspaceDir,
      runId: this.runId,
      steps: this.states.length,
    });
    const api = this.conn.config.makeApiClient(CustomObjectsApi);
    try {
      const created = (await api.createNamespacedCustomObject({
        ...resource,
        namespace,
        body: workflow,
      })) as KubernetesObject;
      this.base.cluster = { ...ref, uid: created.metadata?.uid };
    } catch (error) {
      await this.recorder.close();
      await this.saver.finish({ ...this.snapshot("failed"), finishedAt: new Date().toISOString() });
      throw apiFailure(error, this.conn.target, `create Workflow ${name} in ${namespace}`);
    }
    this.request.print(`Submitted Workflow ${namespace}/${name} (run ${this.runId}).`);
    const watch = new RunWatch(
      this.conn,
      { ...resource, namespace, kind: "Workflow", name },
      `${RUN_LABEL}=${labelValue(this.runId)}`,
    );
    this.watch = watch;
    try {
      const outcome = await new Promise<ReturnType<typeof workflowOutcome> | "cancelled">((resolve) => {
        const cancel = () => resolve("cancelled");
        if (this.context.signal.aborted) cancel();
        this.context.signal.addEventListener("abort", cancel, { once: true });
        watch.onChange(() => {
          this.follow(watch);
          const ended = workflowOutcome(watch.workload() as WorkflowObject | undefined);
          if (ended) resolve(ended);
          else if (watch.workloadDeleted) resolve("cancelled");
        });
        watch.start();
      });
      return await this.settle(api, watch, outcome);
    } finally {
      watch.dispose();
    }
  }

  /** Every change: new tries get their records and logs, ended tries their end, the steps their state. */
  private follow(watch: RunWatch): void {
    for (const pod of watch.pods()) {
      const step = pod.metadata?.labels?.["parity.dev/step"];
      const podName = pod.metadata?.name;
      if (!step || !podName || !this.states.some((state) => state.name === step)) continue;
      const attempt = this.tries.get(podName) ?? this.startTry(step, podName);
      if (!attempt) continue;
      attempt.logs.watchPod(pod);
      const phase = pod.status?.phase;
      if ((phase === "Succeeded" || phase === "Failed") && !attempt.ended)
        attempt.ended = this.endTry(attempt, pod);
      else if (!attempt.ended) attempt.saver.schedule(this.tryRecord(attempt, pod, activeOf(pod)));
    }
    const nodes = argoStepNodes(watch.workload() as WorkflowObject | undefined, this.templates);
    for (const state of this.states) {
      const node = nodes.get(state.name);
      if (!node || ["cancelled"].includes(state.status)) continue;
      const attempt = this.latestTry(state.name);
      const change: Partial<PipelineStepState> = {
        status: node.status,
        ...(attempt && { runId: attempt.runId, startedAt: attempt.record.startedAt }),
        ...(node.tries > 1 && { attempts: node.tries }),
      };
      if (node.status === "failed" || node.status === "not-run") {
        change.reason = this.reasonOf(state.name, node.message);
        change.finishedAt = state.finishedAt ?? new Date().toISOString();
      }
      if (node.status === "succeeded") change.finishedAt = state.finishedAt ?? new Date().toISOString();
      if (attempt?.record.oomKilled) change.oomKilled = true;
      if (attempt && attempt.record.exitCode !== null) change.exitCode = attempt.record.exitCode;
      this.update(state.name, change);
    }
    const running = this.states.some((state) => state.status === "running");
    this.saver.schedule(this.snapshot(running ? "running" : "pending"));
  }

  /** Why a step failed or did not run: its try's diagnosis, else the controller's words. */
  private reasonOf(step: string, message: string | undefined): string | undefined {
    const attempt = this.latestTry(step);
    const error = attempt?.record.diagnosis.find((item) => item.severity === "error");
    if (error) return error.message.replace(/\.$/, "");
    const blocker = this.prepared.pipeline.steps
      .find((each) => each.name === step)
      ?.after.find((name) => ["failed", "not-run", "cancelled"].includes(this.state(name).status));
    if (blocker) return `${blocker} did not succeed`;
    return message;
  }

  private latestTry(step: string): StepTry | undefined {
    return [...this.tries.values()].filter((attempt) => attempt.step === step).at(-1);
  }

  private state(name: string): PipelineStepState {
    return this.states.find((state) => state.name === name)!;
  }

  private update(name: string, change: Partial<PipelineStepState>): void {
    const state = this.state(name);
    const before = JSON.stringify(state);
    Object.assign(state, change);
    if (JSON.stringify(state) === before) return;
    this.request.onStep?.({ ...state });
    const was = (JSON.parse(before) as PipelineStepState).status;
    if (change.status && change.status !== was) this.say(state, was);
  }

  /** Each step's start and end said once; a pod that ended before it was seen running has started too. */
  private say(state: PipelineStepState, was: PipelineStepState["status"]): void {
    const { print } = this.request;
    const ended = state.status === "succeeded" || state.status === "failed";
    if (state.status === "running" || (ended && was === "pending" && state.runId))
      print(`${state.name}: started (run ${state.runId})`);
    if (state.status === "running") return;
    if (state.status !== "pending")
      print(`${state.name}: ${state.status}${state.reason ? ` (${state.reason})` : ""}`);
  }

  private startTry(step: string, pod: string): StepTry | undefined {
    const runId = newRunId(`${this.prepared.pipeline.name}-${step}`);
    this.children.push(runId);
    const pipelineStep = this.prepared.pipeline.steps.find((each) => each.name === step)!;
    const attempt: Partial<StepTry> = { step, runId, pod };
    const recording = RunRecorder.create(this.prepared.base.workspaceDir, runId);
    // Lines come before the record's folder exists; they wait for it, in order.
    let ready: Promise<RunRecorder> = recording;
    const writer: RunRecordWriter = {
      log: async (line) => (await ready).log(line),
      save: async (result) => (await ready).save(result),
      close: async () => (await ready).close(),
      cancelRequested: async () => false,
    };
    const lines = new Emitter<LogLine>();
    lines.event((line) => this.request.onLog?.({ ...line, source: step }));
    attempt.output = new RunOutput(writer, lines);
    attempt.saver = new RecordSaver(writer);
    attempt.logs = new RunLogs(
      this.conn,
      this.conn.target.namespace,
      (line) => void attempt.output!.add({ ...line, source: undefined }),
      undefined,
      (container) => container === MAIN_CONTAINER,
    );
    attempt.record = {
      runId,
      kind: "job",
      target: "cluster",
      status: "pending",
      exitCode: null,
      oomKilled: false,
      image: this.prepared.image,
      notebook: this.prepared.pipeline.file,
      startedAt: new Date().toISOString(),
      memoryLimitBytes: this.limitsOf(pipelineStep).memoryBytes,
      diagnosis: [],
      parent: this.runId,
      step,
      timeline: [],
    };
    ready = recording.then((recorder) => {
      attempt.recorder = recorder;
      return recorder;
    });
    this.tries.set(pod, attempt as StepTry);
    return attempt as StepTry;
  }

  private limitsOf(step: PipelineStep) {
    return { ...this.prepared.base.limits, ...step.limits };
  }

  /** The try's record as its pod stands: the pod's timeline, and the diagnosis a cluster job gets. */
  private tryRecord(attempt: StepTry, pod: V1Pod, status: RunStatus): RunResult {
    const main = onlyMain(pod);
    const terminated = main.status?.containerStatuses?.[0]?.state?.terminated;
    const timeline = (this.watch?.entries() ?? []).filter((entry) => entry.object.includes(attempt.pod));
    attempt.record = {
      ...attempt.record,
      status,
      oomKilled: terminated?.reason === "OOMKilled",
      exitCode: terminated?.exitCode ?? null,
      timeline,
      diagnosis: diagnoseClusterRun({
        kind: "Job",
        status,
        pods: [main],
        events: timeline,
        memoryLimitBytes: attempt.record.memoryLimitBytes,
        logTail: attempt.output.tail(),
      }),
    };
    return attempt.record;
  }

  /** A try's pod ended: its last lines read, its record finished. */
  private async endTry(attempt: StepTry, pod: V1Pod): Promise<void> {
    await attempt.logs.finish([pod]);
    const record = this.tryRecord(attempt, pod, pod.status?.phase === "Succeeded" ? "succeeded" : "failed");
    const finishedAt = new Date().toISOString();
    record.finishedAt = finishedAt;
    record.durationMs = Date.parse(finishedAt) - Date.parse(record.startedAt ?? finishedAt);
    await attempt.recorder?.close();
    await attempt.saver.finish(record);
    await attempt.recorder?.release();
    if (this.watch) this.follow(this.watch);
  }

  private snapshot(status: RunStatus, extra: Partial<RunResult> = {}): RunResult {
    return {
      ...this.base,
      status,
      oomKilled: this.states.some((state) => state.oomKilled),
      children: [...this.children],
      steps: this.states.map((state) => ({ ...state })),
      timeline: (this.watch?.entries() ?? []).filter((entry) => entry.object.startsWith("Workflow/")),
      ...extra,
    };
  }

  private async settle(
    api: CustomObjectsApi,
    watch: RunWatch,
    outcome: ReturnType<typeof workflowOutcome> | "cancelled",
  ): Promise<RunResult> {
    const { namespace, name } = this.base.cluster;
    let deleteFailure: unknown;
    if (outcome === "cancelled") {
      await api
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
      for (const attempt of this.tries.values()) {
        if (attempt.ended) continue;
        await attempt.logs.stop();
        attempt.ended = (async () => {
          const record = {
            ...attempt.record,
            status: "cancelled" as RunStatus,
            finishedAt: new Date().toISOString(),
          };
          record.diagnosis = diagnoseClusterRun({
            kind: "Job",
            status: "cancelled",
            pods: [],
            events: record.timeline ?? [],
            memoryLimitBytes: record.memoryLimitBytes,
            logTail: attempt.output.tail(),
          });
          await attempt.recorder?.close();
          await attempt.saver.finish(record);
          await attempt.recorder?.release();
        })();
      }
      for (const state of this.states) {
        if (state.status === "running")
          this.update(state.name, { status: "cancelled", reason: "the pipeline was cancelled" });
        else if (state.status === "pending")
          this.update(state.name, { status: "not-run", reason: "the pipeline was cancelled" });
      }
    } else {
      // Every pod's end seen and its logs read before the pipeline's record says it ended.
      for (const pod of watch.pods()) {
        const attempt = this.tries.get(pod.metadata?.name ?? "");
        if (attempt && !attempt.ended) attempt.ended = this.endTry(attempt, pod);
      }
    }
    await Promise.all([...this.tries.values()].map((attempt) => attempt.ended));
    this.follow(watch);
    for (const state of this.states) {
      if (state.status === "pending" || state.status === "running")
        this.update(state.name, {
          status: "not-run",
          reason: this.reasonOf(state.name, undefined) ?? "the Workflow ended before it ran",
        });
    }
    const failed = this.states.some((state) => state.status === "failed");
    const status: RunStatus =
      outcome === "cancelled"
        ? deleteFailure
          ? "running"
          : "cancelled"
        : failed
          ? "failed"
          : outcome!.status;
    const finishedAt = new Date().toISOString();
    const diagnosis: Diagnosis[] = stepFailures(this.states);
    if (outcome !== "cancelled" && outcome?.status === "failed" && diagnosis.length === 0) {
      diagnosis.push({
        code: "WorkflowFailed",
        severity: "error",
        message: `The Workflow ${name} ${outcome.reason === "Error" ? "ended in error" : "failed"}${outcome.message ? `: ${outcome.message}` : ""}.`,
        fix: `Look at the Workflow on the cluster (kubectl -n ${namespace} get workflow ${name} -o yaml) for what its controller says.`,
      });
    }
    if (outcome === "cancelled")
      diagnosis.unshift({
        code: "Cancelled",
        severity: "info",
        message: "The pipeline was cancelled; its Workflow and pods were deleted from the cluster.",
        fix: "Run it again when ready.",
      });
    const final = this.snapshot(status, {
      exitCode: status === "succeeded" ? 0 : status === "failed" ? 1 : null,
      diagnosis,
      ...(!deleteFailure && {
        finishedAt,
        durationMs: Date.parse(finishedAt) - Date.parse(this.startedAt),
      }),
    });
    await this.recorder.close();
    await this.saver.finish(final);
    if (deleteFailure) throw deleteFailure;
    return final;
  }
}

/** Pending until the pod's step container has started. */
function activeOf(pod: V1Pod): RunStatus {
  const state = onlyMain(pod).status?.containerStatuses?.[0]?.state;
  return state?.running || state?.terminated ? "running" : "pending";
}

/** The pod as its step's container alone: Argo's own containers (wait, init) say nothing about the step. */
function onlyMain(pod: V1Pod): V1Pod {
  return {
    ...pod,
    spec: pod.spec && {
      ...pod.spec,
      containers: pod.spec.containers.filter((c) => c.name === MAIN_CONTAINER),
    },
    status: pod.status && {
      ...pod.status,
      containerStatuses: (pod.status.containerStatuses ?? []).filter((s) => s.name === MAIN_CONTAINER),
      initContainerStatuses: [],
    },
  };
}
