import { isCancelled, ParityError } from "../../core/errors";
import type { RunResult, TimelineEntry } from "../../core/job/types";
import { parityLabels } from "../../core/manifests";
import { timelineFromEvent } from "../../core/diagnosis/cluster/timeline";
import { remoteReferenceFor } from "../../core/registry/reference";
import {
  canaryEdit,
  deploymentModeOf,
  endpointStateOf,
  explainEndpointEvent,
  inferenceServiceManifest,
  replaceModelEdit,
  parseDeploymentMode,
  DEPLOYMENT_MODE_ANNOTATION,
  KSERVE_CONTAINER,
  inferenceServiceYaml,
  promoteEdit,
  readinessOf,
  rollbackEdit,
  type ClusterServingConfig,
  type EndpointFailure,
  type InferenceService,
  type KServeCapabilities,
  type RolloutEdit,
} from "../../core/serving/inferenceService";
import type { DeploymentMode } from "../../core/serving/types";
import { isFinished } from "../../core/workload/status";
import { workloadOf } from "../../core/workload/types";
import type { Prediction } from "../../core/preflight";
import {
  requireAllowed,
  isProtectedNamespace,
  requireTypedName,
  type AccessCheck,
} from "../../targets/kube/access";
import type { KubeConnection } from "../../targets/kube/connection";
import {
  applyInferenceService,
  knativeServed,
  readInferenceService,
  readKServe,
  readServingConfig,
  watchEndpointEvents,
  watchInferenceService,
} from "../../targets/kube/inferenceService";
import { preflight } from "../../targets/kube/preflight";
import { withoutRegistry } from "../../targets/registry/deliver";
import type { RegistryCredentials } from "../../targets/registry/credentials";
import type { Print, SessionContext } from "../context";
import { connect, load, locateInProfile } from "../job/session";
import type { LoadedJob } from "../job/load";
import type { RunRef } from "../store/runRef";
import { listRuns, newRunId, RunRecorder, type StoredRun } from "../store/runStore";
import { connectTarget, deliverToCluster, requireSchedulable } from "../targets/cluster/prepare";
import { buildServingImage, endpointNameOf, endpointRecordOf, planServing } from "./servingImage";
import { findServingSource, type SourceRequest } from "./source";

export interface DeployRequest extends SourceRequest {
  /** kubeconfig context and namespace chosen for this workspace (a setting or a flag); they win over the profile. */
  placement?: { context?: string; namespace?: string };
  registryCredentials?: RegistryCredentials;
  /** Deploy the model as a canary taking this share of the traffic (1-99) beside the endpoint's stable model. */
  canary?: number;
  /** Move all traffic to the canary. */
  promote?: boolean;
  /** Return all traffic to the stable model. */
  rollback?: boolean;
  /** Print the InferenceService that would be applied; nothing is built, pushed or changed. */
  dryRun?: boolean;
  /** The endpoint's name typed by the user, where the namespace is protected and an endpoint is changed. */
  typedName?: string;
  /** How long to wait for the endpoint to be ready; 10 minutes by default. */
  readyTimeoutMs?: number;
  verbose?: boolean;
  print: Print;
  /** Asked when the preflight predicts the predictor's pod would not schedule; false stops before anything is built. */
  confirmUnschedulable?(prediction: Prediction, manifest: string): Promise<boolean>;
  /** Told once the endpoint's record is written, before the change is applied (its run id and folder). */
  onStart?(run: RunRef): void;
}

export interface Deployed {
  /** The endpoint's name (its InferenceService's) and namespace. */
  name: string;
  namespace: string;
  /** The endpoint's record (none for a dry run). */
  record?: RunResult;
  /** The InferenceService applied, or that a dry run would apply, as YAML. */
  yaml: string;
  /** What the user must know about the change (a canary KServe does not route by percentage...). */
  notes: string[];
  /** What the change did: created, replaced, canary, promoted, rolled back. */
  action: "created" | "replaced" | "canary" | "promoted" | "rolled back";
}

/** How long a deploy waits for KServe to say the endpoint serves what was asked. */
const READY_TIMEOUT_MS = 10 * 60_000;

/**
 * `parity deploy --target cluster`: the notebook's model as a KServe InferenceService whose
 * predictor runs the same serving image as `parity serve` (pushed as a job run's image), with
 * requests = limits, the profile's node selector and tolerations. Refused before anything is built:
 * the user's permissions, whether the cluster serves KServe, the mode it deploys in and whether a
 * canary would be honoured there, the preflight, and (in a protected namespace) the endpoint's
 * name typed before an existing endpoint is changed. Then built, pushed, applied and followed
 * until KServe says it serves it (its conditions and URL). `--canary`, `--promote` and
 * `--rollback` change an existing endpoint's traffic (core/serving/inferenceService.ts).
 */
export async function deployToCluster(context: SessionContext, request: DeployRequest): Promise<Deployed> {
  const clicked = Date.now();
  const { print } = request;
  const rollout = request.promote || request.rollback;
  const docker = await connect(context, print);
  // Promote and roll back change traffic only: the model is already there, nothing is built.
  const source = rollout ? undefined : await findServingSource(context, request, docker);
  const job: LoadedJob = source?.job ?? (await load(context, request.source, request.profile, docker));
  const cluster = await connectTarget(context, job, request);
  const namespace = cluster.target.namespace;
  const name = endpointNameOf(job);
  await requireAllowed(cluster, endpointPermissions(namespace));
  const kserve = await readKServe(cluster);
  if (!kserve.served) {
    throw new ParityError(
      "KServeMissing",
      `The cluster (${cluster.target.context}) does not serve KServe's InferenceService.`,
      {
        fix: "Install KServe on the cluster (its CRDs and controller), or deploy to a cluster that has it.",
      },
    );
  }
  const config = await readServingConfig(cluster);
  const existing = await readInferenceService(cluster, namespace, name);
  const probed = existing || config ? undefined : await probeDefaultMode(cluster, namespace, name);
  const mode = modeFor(existing, config, probed, print);
  if (mode === "Knative" && (await knativeServed(cluster)) === false) {
    throw new ParityError(
      "KnativeMissing",
      `KServe on ${cluster.target.context} deploys ${name} in Knative (Serverless) mode, but the cluster does not serve Knative Serving: KServe would reject it (ServerlessModeRejected).`,
      {
        fix: 'Install Knative Serving, or set serving.kserve.io/deploymentMode: "Standard" as the cluster\'s default.',
      },
    );
  }

  if (rollout) {
    if (!existing) {
      throw new ParityError(
        "EndpointNotFound",
        `There is no endpoint ${name} in ${namespace} to ${request.promote ? "promote" : "roll back"}.`,
        {
          fix: `Deploy it first (parity deploy <notebook> --target cluster), then a canary with --canary <percent>.`,
        },
      );
    }
    const edit = request.promote ? promoteEdit(existing, mode) : rollbackEdit(existing, mode);
    const action = request.promote ? "promoted" : "rolled back";
    if (request.dryRun)
      return { name, namespace, yaml: inferenceServiceYaml(edit.isvc), notes: edit.notes, action };
    await confirmChange(cluster, job, name, namespace, request);
    return applyAndFollow(cluster, job, {
      isvc: edit.isvc,
      existing,
      edit,
      config,
      mode,
      action,
      clicked,
      signal: context.signal,
      request,
    });
  }

  const planned = await planServing(context, docker, source!, request);
  const registry = job.profile.profile.image.registry;
  if (!registry) locate(job, () => withoutRegistry(planned.plan.tag, cluster.target.context));
  const image = registry ? remoteReferenceFor(planned.plan.tag, registry).reference : planned.plan.tag;
  const revision = `m-${planned.plan.contentHash.slice(0, 8)}`;
  const clusterSpec = job.profile.profile.cluster;
  // The new model's InferenceService as a fresh one would be: its limits, env and placement,
  // which a canary or a replacement takes too.
  const manifest = inferenceServiceManifest({
    name,
    namespace,
    image,
    revision,
    modelName: name,
    limits: planned.limits,
    nodeSelector: clusterSpec?.nodeSelector ?? {},
    tolerations: clusterSpec?.tolerations ?? [],
    mode,
    env: job.profile.profile.env,
    labels: parityLabels(job.profile.name),
  });
  let edit: RolloutEdit;
  let action: Deployed["action"];
  if (request.canary !== undefined) {
    if (!existing) {
      throw new ParityError(
        "EndpointNotFound",
        `There is no endpoint ${name} in ${namespace} to put a canary beside.`,
        {
          fix: "Deploy it first without --canary: the first model takes all traffic.",
        },
      );
    }
    const capabilities = kserve.capabilities ?? (await probeCapabilities());
    edit = canaryEdit(
      existing,
      { image, revision, percent: request.canary, predictor: manifest.spec.predictor },
      { mode, capabilities, gatewayApi: config?.enableGatewayApi },
    );
    action = "canary";
  } else if (existing) {
    edit = replaceModelEdit(existing, manifest, revision);
    action = "replaced";
  } else {
    edit = { isvc: manifest, traffic: [{ revision, percent: 100, applied: true }], notes: [] };
    action = "created";
  }
  if (request.dryRun)
    return { name, namespace, yaml: inferenceServiceYaml(edit.isvc), notes: edit.notes, action };

  // The predictor's pod, as the scheduler will see it (requests = limits, selector, tolerations).
  const predictor =
    (edit.isvc.spec as { canary?: { predictor: object }[]; predictor: object }).canary?.at(-1)?.predictor ??
    edit.isvc.spec!.predictor;
  const podAsJob = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace },
    spec: { template: { spec: predictor } },
  };
  const prediction = await preflight(cluster.config, namespace, podAsJob);
  await requireSchedulable(
    prediction,
    inferenceServiceYaml(edit.isvc),
    request,
    "The cluster cannot schedule the endpoint's predictor as it is; nothing was built or changed.",
  );
  if (existing) await confirmChange(cluster, job, name, namespace, request);

  const { built, buildMs } = await buildServingImage(context, docker, planned, request);
  const delivery = await deliverToCluster(context, docker, cluster, job, built.tag, request);
  return applyAndFollow(cluster, job, {
    isvc: edit.isvc,
    existing,
    edit,
    config,
    mode,
    action,
    clicked,
    signal: context.signal,
    request,
    model: { planned, servingImage: delivery.reference, buildMs, delivery: delivery.action },
  });

  /**
   * Where the CRD cannot be read: the canary applied as a server-side dry run, to see whether the
   * API server keeps `spec.canary` (a KServe before 0.20 prunes it: the canary would be ignored).
   */
  async function probeCapabilities(): Promise<KServeCapabilities> {
    const assumed = canaryEdit(
      existing!,
      { image, revision, percent: request.canary!, predictor: manifest.spec.predictor },
      {
        mode,
        capabilities: { canarySpec: true, canaryStatuses: true },
        gatewayApi: config?.enableGatewayApi,
      },
    );
    if (mode !== "Standard") return { canarySpec: false, canaryStatuses: false };
    const kept = await applyInferenceService(cluster, assumed.isvc, existing, true);
    const canarySpec = Array.isArray((kept.spec as { canary?: unknown }).canary);
    return { canarySpec, canaryStatuses: canarySpec };
  }
}

/** What deploying an endpoint must be allowed: its InferenceService, its pods' logs and events. */
function endpointPermissions(namespace: string): AccessCheck[] {
  const group = "serving.kserve.io";
  return [
    ...["get", "list", "watch", "create", "update", "delete"].map((verb) => ({
      verb,
      group,
      resource: "inferenceservices",
      namespace,
    })),
    ...["get", "list", "watch"].map((verb) => ({ verb, resource: "pods", namespace })),
    { verb: "get", resource: "pods", subresource: "log", namespace },
    ...["list", "watch"].map((verb) => ({ verb, resource: "events", namespace })),
  ];
}

/** The mode KServe deploys the endpoint in, said with where it was read. */
function modeFor(
  existing: InferenceService | undefined,
  config: (ClusterServingConfig & { from: string }) | undefined,
  probed: DeploymentMode | undefined,
  print: Print,
): DeploymentMode {
  if (existing) {
    const { mode, source } = deploymentModeOf(existing, config?.defaultDeploymentMode);
    print(`KServe:   ${mode} mode (the endpoint's ${source})`);
    return mode;
  }
  if (config) {
    print(`KServe:   ${config.defaultDeploymentMode} mode (the cluster's default, ${config.from})`);
    return config.defaultDeploymentMode;
  }
  if (probed) {
    print(`KServe:   ${probed} mode (the cluster's default, as KServe's webhook answered a dry run)`);
    return probed;
  }
  print(
    "KServe:   Standard mode (KServe's own default: the cluster's inferenceservice-config could not be read, nor a dry run made)",
  );
  return "Standard";
}

/**
 * The cluster's default mode where its ConfigMap cannot be read: an InferenceService without the
 * mode annotation applied as a server-side dry run. KServe's defaulting webhook writes the
 * annotation when the default is Standard (or ModelMesh) and leaves it out for Knative, its
 * Serverless default. Undefined when the dry run is refused.
 */
async function probeDefaultMode(
  cluster: KubeConnection,
  namespace: string,
  name: string,
): Promise<DeploymentMode | undefined> {
  const probe: InferenceService = {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: { name, namespace },
    spec: { predictor: { containers: [{ name: KSERVE_CONTAINER, image: "parity.invalid/mode-probe:0" }] } },
  };
  try {
    const answered = await applyInferenceService(cluster, probe, undefined, true);
    return parseDeploymentMode(answered.metadata?.annotations?.[DEPLOYMENT_MODE_ANNOTATION]) ?? "Knative";
  } catch (error) {
    if (isCancelled(error)) throw error;
    return undefined;
  }
}

/** In a protected namespace, changing a live endpoint takes its name typed, as deleting a run does. */
async function confirmChange(
  cluster: KubeConnection,
  job: LoadedJob,
  name: string,
  namespace: string,
  request: DeployRequest,
): Promise<void> {
  const isProtected = await isProtectedNamespace(cluster, namespace, job.profile.profile.cluster?.protected);
  if (!isProtected || request.typedName === name) return;
  try {
    requireTypedName(true, name, request.typedName);
  } catch (error) {
    if (!(error instanceof ParityError)) throw error;
    throw new ParityError(
      "ConfirmationRequired",
      request.typedName
        ? `The name typed (${request.typedName}) is not ${name}; the endpoint was not changed.`
        : `${namespace} is a protected namespace: changing the endpoint ${name} takes its name typed.`,
      { fix: `Type ${name} exactly to confirm (parity deploy ... --confirm ${name}).` },
    );
  }
}

function locate<T>(job: LoadedJob, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw locateInProfile(error, job);
  }
}

interface ApplyOptions {
  isvc: InferenceService;
  existing: InferenceService | undefined;
  edit: RolloutEdit;
  config: ClusterServingConfig | undefined;
  mode: DeploymentMode;
  action: Deployed["action"];
  clicked: number;
  /** Aborted: stop waiting for KServe (the change stays applied). */
  signal: AbortSignal;
  request: DeployRequest;
  /** The model deployed, where one is (not for promote and roll back). */
  model?: {
    planned: Awaited<ReturnType<typeof planServing>>;
    servingImage: string;
    buildMs: number;
    delivery: "pushed" | "already-present" | "shared-engine";
  };
}

/**
 * Applies the InferenceService and follows it until KServe says it serves what was asked (its
 * conditions, its URL), a condition or event says it failed, or the wait times out. The endpoint's
 * one record (per InferenceService) says where it stands throughout; Ctrl-C stops waiting only.
 */
async function applyAndFollow(
  cluster: KubeConnection,
  job: LoadedJob,
  options: ApplyOptions,
): Promise<Deployed> {
  const { request, edit, model } = options;
  const { print } = request;
  const namespace = options.isvc.metadata!.namespace!;
  const name = options.isvc.metadata!.name!;
  for (const note of edit.notes) print(`! ${note}`);
  const previous = await liveRecordOf(job.workspaceDir, cluster, namespace, name);
  const runId = previous?.result.runId ?? newRunId(`deploy-${name}`);
  const { recorder, current } = previous
    ? await RunRecorder.reopen(previous)
    : { recorder: await RunRecorder.create(job.workspaceDir, runId), current: undefined };
  try {
    const base: RunResult = current?.result ?? {
      runId,
      kind: "endpoint",
      target: "cluster",
      status: "pending",
      exitCode: null,
      oomKilled: false,
      image: model?.servingImage ?? "",
      notebook: job.notebookFile,
      startedAt: new Date().toISOString(),
      memoryLimitBytes: model?.planned.limits.memoryBytes ?? 0,
      diagnosis: [],
      cluster: {
        context: cluster.target.context,
        server: cluster.target.server,
        namespace,
        kind: "InferenceService",
        apiVersion: options.isvc.apiVersion!,
        name,
      },
      timeline: [],
    };
    const endpoint = model
      ? endpointRecordOf(model.planned, model.servingImage, { buildMs: model.buildMs })
      : base.endpoint;
    if (!endpoint) {
      throw new ParityError(
        "EndpointRecordMissing",
        `Parity has no record of how ${name} was deployed from this workspace.`,
        {
          fix: `Promote or roll back from the workspace that deployed it, or with kubectl edit inferenceservice ${name} -n ${namespace}.`,
        },
      );
    }
    let record: RunResult = {
      ...base,
      // An endpoint that serves goes on serving its stable model while the change rolls out.
      status: base.status === "running" ? "running" : "pending",
      ...(model ? { image: model.servingImage, memoryLimitBytes: model.planned.limits.memoryBytes } : {}),
      endpoint: { ...base.endpoint, ...endpoint, readyAt: undefined, coldStartMs: undefined },
      diagnosis: [],
      finishedAt: undefined,
    };
    await recorder.save(record);
    request.onStart?.({ workspaceDir: job.workspaceDir, runId });
    const applyAt = Date.now();
    const applied = await applyInferenceService(cluster, options.isvc, options.existing).catch(
      async (error: unknown) => {
        if (!options.existing)
          await recorder.save({ ...record, status: "failed", finishedAt: new Date().toISOString() });
        throw error;
      },
    );
    record = {
      ...record,
      cluster: {
        ...record.cluster!,
        uid: applied.metadata?.uid,
        ...(model ? { imageDelivery: model.delivery } : {}),
      },
    };
    await recorder.save(record);
    print(
      `${verbOf(options.action)} InferenceService ${name} in ${namespace}; waiting for KServe to serve it ...`,
    );
    const outcome = await followReady(
      cluster,
      namespace,
      name,
      request.readyTimeoutMs ?? READY_TIMEOUT_MS,
      applyAt,
      options.signal,
      request,
      (isvc) => {
        record = {
          ...record,
          endpoint: {
            ...record.endpoint!,
            url: isvc.status?.url ?? record.endpoint!.url,
            cluster: endpointStateOf(isvc, options.config?.defaultDeploymentMode),
          },
        };
        void recorder.save(record).catch(() => undefined);
      },
      (entry) => {
        record = { ...record, timeline: [...(record.timeline ?? []), entry] };
      },
    );
    if (outcome.deleted) {
      record = {
        ...record,
        status: "cancelled",
        finishedAt: new Date().toISOString(),
        diagnosis: [
          {
            code: "EndpointDeleted",
            severity: "info",
            message: `The InferenceService ${name} in ${namespace} was deleted while Parity waited for KServe to serve it.`,
            fix: "Deploy it again with parity deploy --target cluster (or Deploy Model).",
          },
        ],
      };
    } else if (outcome.ready) {
      const readyAt = new Date();
      record = {
        ...record,
        status: "running",
        endpoint: {
          ...record.endpoint!,
          readyAt: readyAt.toISOString(),
          coldStartMs: readyAt.getTime() - options.clicked,
        },
      };
    } else if (outcome.failed) {
      const failed = outcome.failed;
      record = {
        ...record,
        // An update that failed leaves the stable model serving: the endpoint is not gone.
        status: options.existing ? "running" : "failed",
        ...(options.existing ? {} : { finishedAt: new Date().toISOString() }),
        diagnosis: [
          {
            code: failed.reason || "EndpointFailed",
            severity: "error",
            message: failed.message,
            fix: failed.fix,
          },
        ],
      };
    } else {
      record = {
        ...record,
        diagnosis: [
          {
            code: "EndpointNotReadyYet",
            severity: "warning",
            message: outcome.cancelled
              ? `Parity stopped waiting; KServe was still ${outcome.waitingFor ? `waiting for ${outcome.waitingFor}` : "working on it"}.`
              : `KServe did not say ${name} serves within ${Math.round((request.readyTimeoutMs ?? READY_TIMEOUT_MS) / 60_000)} minutes${outcome.waitingFor ? `: still waiting for ${outcome.waitingFor}` : ""}.`,
            fix: `parity endpoints shows where it stands; kubectl describe inferenceservice ${name} -n ${namespace} says more.`,
          },
        ],
      };
    }
    await recorder.close();
    await recorder.save(record);
    return {
      name,
      namespace,
      record,
      yaml: inferenceServiceYaml(options.isvc),
      notes: edit.notes,
      action: options.action,
    };
  } finally {
    await recorder.release();
  }
}

function verbOf(action: Deployed["action"]): string {
  return {
    created: "Created",
    replaced: "Replaced the model of",
    canary: "Added a canary to",
    promoted: "Promoted the canary of",
    "rolled back": "Rolled back the canary of",
  }[action];
}

/** The live record of this InferenceService in the workspace, if one was written here. */
async function liveRecordOf(
  workspaceDir: string,
  cluster: KubeConnection,
  namespace: string,
  name: string,
): Promise<StoredRun | undefined> {
  return (await listRuns(workspaceDir)).find(
    (run) =>
      workloadOf(run.result).kind === "endpoint" &&
      run.result.target === "cluster" &&
      !isFinished(run.result.status) &&
      run.result.cluster?.server === cluster.target.server &&
      run.result.cluster.namespace === namespace &&
      run.result.cluster.name === name,
  );
}

interface ReadyOutcome {
  ready?: boolean;
  /** The InferenceService was deleted while Parity waited. */
  deleted?: boolean;
  failed?: EndpointFailure;
  cancelled?: boolean;
  waitingFor?: string;
}

/** Follows the InferenceService and its events until it serves its spec, fails, or the wait ends. */
function followReady(
  cluster: KubeConnection,
  namespace: string,
  name: string,
  timeoutMs: number,
  since: number,
  signal: AbortSignal,
  request: DeployRequest,
  onChange: (isvc: InferenceService) => void,
  onEvent: (entry: TimelineEntry) => void,
): Promise<ReadyOutcome> {
  const isvcs = watchInferenceService(cluster, namespace, name);
  const events = watchEndpointEvents(cluster, namespace, name);
  return new Promise<ReadyOutcome>((resolve) => {
    let waitingFor: string | undefined;
    let said: string | undefined;
    const done = (outcome: ReadyOutcome): void => {
      clearTimeout(timer);
      isvcs.stop();
      events.stop();
      subscriptions.forEach((each) => each.dispose());
      resolve({ waitingFor, ...outcome });
    };
    const timer = setTimeout(() => done({}), timeoutMs);
    const seen = new Set<string>();
    const subscriptions = [
      isvcs.onChange(({ type, object }) => {
        if (!object) return;
        // Deleted meanwhile (parity endpoints stop, kubectl): nothing more to wait for.
        if (type === "deleted" || object.metadata?.deletionTimestamp) return done({ deleted: true });
        onChange(object);
        const readiness = readinessOf(object);
        if (readiness.ready) return done({ ready: true });
        if (readiness.failed) return done({ failed: readiness.failed });
        waitingFor = readiness.waitingFor;
        if (waitingFor && waitingFor !== said) {
          said = waitingFor;
          request.print(`  waiting for ${waitingFor}`);
        }
      }),
      events.onChange(({ object }) => {
        // Kubernetes folds a repeated event into one object (same uid, a higher count): seen again.
        const key =
          object?.metadata?.uid &&
          `${object.metadata.uid}/${object.count ?? 1}/${String(object.lastTimestamp ?? "")}`;
        if (!object || !key || seen.has(key)) return;
        seen.add(key);
        // An event from before this change (an earlier deploy's) says nothing about it.
        const at = Date.parse(
          String(object.lastTimestamp ?? object.eventTime ?? object.metadata?.creationTimestamp ?? ""),
        );
        if (Number.isFinite(at) && at < since - 2000) return;
        onEvent(timelineFromEvent(object));
        const failure = explainEndpointEvent(object);
        if (failure) done({ failed: failure });
      }),
    ];
    if (signal.aborted) return done({ cancelled: true });
    signal.addEventListener("abort", () => done({ cancelled: true }), { once: true });
    isvcs.start();
    events.start();
  });
}
