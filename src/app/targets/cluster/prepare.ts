import type { KubernetesObject } from "@kubernetes/client-node";
import { homedir } from "node:os";
import path from "node:path";
import { WORKSPACE_DIR } from "../../../core/build/dockerfile";
import { ParityError } from "../../../core/errors";
import type { Diagnosis } from "../../../core/diagnosis/types";
import type { ClusterRunRef, JobSpec } from "../../../core/job/types";
import {
  buildWorkload,
  jobNameFor,
  podDemands,
  renderManifest,
  workloadResource,
} from "../../../core/manifests";
import type { Prediction } from "../../../core/preflight";
import type { ClusterSpec } from "../../../core/profile/types";
import type { BuildResult } from "../../../targets/docker/buildImage";
import { requireAllowed, type AccessCheck } from "../../../targets/kube/access";
import { runPermissions, type ClusterRunSpec } from "../../../targets/kube/clusterRun";
import {
  connectCluster,
  describeTarget,
  type ClusterTarget,
  type KubeConnection,
} from "../../../targets/kube/connection";
import { preflight } from "../../../targets/kube/preflight";
import { credentialsFor, type RegistryCredentials } from "../../../targets/registry/credentials";
import { deliverImage, withoutRegistry, type Delivery } from "../../../targets/registry/deliver";
import { remoteReferenceFor } from "../../../core/registry/reference";
import type { SessionContext } from "../../context";
import { jobSpecFor, type LoadedJob } from "../../job/load";
import { buildForRun, connect, describeJob, load, loadForRun, locateInProfile } from "../../job/session";
import { newRunId } from "../../store/runStore";
import { imageCudaProblems } from "./imageCuda";
import type { RunRequest } from "../target";

/*
 * The cluster half of a run: the same notebook, image and limits as a local run, sent to
 * Kubernetes. Shared by `parity check|run|manifest --target cluster` and the extension's commands.
 */

/** A profile without a cluster section still runs on a cluster: no selector, no tolerations, protected. */
const NO_CLUSTER_SETTINGS: ClusterSpec = { nodeSelector: {}, tolerations: [], protected: true };

function clusterSpecOf(job: LoadedJob): ClusterSpec {
  return job.profile.profile.cluster ?? NO_CLUSTER_SETTINGS;
}

export async function connectTarget(
  context: SessionContext,
  job: LoadedJob,
  request: Pick<RunRequest, "placement" | "print">,
): Promise<KubeConnection> {
  const connection = await connectCluster({
    env: context.env,
    homeDir: context.env.HOME ?? homedir(),
    context: request.placement?.context,
    namespace: request.placement?.namespace,
    profileCluster: job.profile.profile.cluster,
    signal: context.signal,
  });
  request.print(`Cluster:  ${describeTarget(connection.target)}`);
  return connection;
}

/** The workload for a job: a batch/v1 Job, or a PyTorchJob/TFJob when the profile asks for replicas. */
function workloadFor(job: LoadedJob, spec: JobSpec, namespace: string, runId?: string) {
  return buildWorkload({
    name: jobNameFor(runId ?? job.name),
    namespace,
    image: spec.image,
    command: spec.command,
    env: spec.env,
    // The code is in the image; the workspace folder is not mounted on the cluster.
    workingDir: WORKSPACE_DIR,
    limits: spec.limits,
    profileName: job.profile.name,
    runId,
    notebook: path.relative(job.workspaceDir, job.notebookFile).split(path.sep).join("/"),
    cluster: clusterSpecOf(job),
  });
}

function kindOf(workload: { kind?: string }): ClusterRunRef["kind"] {
  return (workload.kind ?? "Job") as ClusterRunRef["kind"];
}

/** `parity manifest --target cluster`: the YAML that would be submitted, with nothing built or pushed. */
export async function clusterManifest(
  context: SessionContext,
  request: RunRequest,
): Promise<{ yaml: string; job: LoadedJob; target: ClusterTarget }> {
  const { workload, job, target } = await plannedWorkload(context, request);
  return { yaml: renderManifest([workload]), job, target };
}

/** The workload a cluster run of the notebook would submit, and where: nothing built, pushed or created. */
export async function plannedWorkload(
  context: SessionContext,
  request: RunRequest,
): Promise<{ workload: KubernetesObject; job: LoadedJob; target: ClusterTarget }> {
  const docker = await connect(context, () => undefined).catch(() => undefined);
  const job = await load(context, request.notebook, request.profile, docker);
  const cluster = await connectTarget(context, job, { ...request, print: () => undefined });
  const spec = jobSpecFor(job, pulledImage(job), request.params);
  return { workload: workloadFor(job, spec, cluster.target.namespace), job, target: cluster.target };
}

/** The image as the cluster will pull it: the registry's name for it when the profile has one. */
function pulledImage(job: LoadedJob): string {
  const registry = job.profile.profile.image.registry;
  return registry ? remoteReferenceFor(job.plan.tag, registry).reference : job.plan.tag;
}

export interface ClusterCheck {
  job: LoadedJob;
  target: ClusterTarget;
  prediction: Prediction;
  /** Permissions the user lacks, one sentence each; empty when everything is allowed. */
  missing: string[];
  /** Why the cluster could not pull the image (no image.registry off this engine), when it could not. */
  imageRoute?: Diagnosis;
  /** The image's CUDA build against production's GPU and the nodes' driver (their labels). */
  imageCuda: Diagnosis[];
}

/** `parity check --target cluster`: would it schedule, and may this user submit it? */
export async function checkCluster(context: SessionContext, request: RunRequest): Promise<ClusterCheck> {
  const job = await load(context, request.notebook, request.profile);
  request.print(describeJob(context, job));
  const cluster = await connectTarget(context, job, request);
  const spec = jobSpecFor(job, job.plan.tag, request.params);
  const workload = workloadFor(job, spec, cluster.target.namespace);
  const missing = await missingPermissions(
    cluster,
    runPermissions(kindOf(workload), cluster.target.namespace),
  );
  const prediction = await preflight(
    cluster.config,
    cluster.target.namespace,
    workload,
    undefined,
    job.profile.limits.productionGpu,
  );
  return {
    job,
    target: cluster.target,
    prediction,
    missing,
    imageRoute: imageRouteProblem(job, cluster.target),
    imageCuda: await imageCudaProblems(context, job, prediction.gpuDriver),
  };
}

/** The registry check a run makes before its build, as a problem for `check` to list. */
function imageRouteProblem(job: LoadedJob, target: ClusterTarget): Diagnosis | undefined {
  if (job.profile.profile.image.registry) return undefined;
  try {
    inProfile(job, () => withoutRegistry(job.plan.tag, target.context));
    return undefined;
  } catch (error) {
    if (!(error instanceof ParityError)) throw error;
    const { file, line } = error.location ?? {};
    return {
      code: error.code,
      severity: "error",
      message: error.message,
      fix: error.fix ?? "",
      ...(file ? { location: { file, line } } : {}),
    };
  }
}

/** The permissions among `checks` the user lacks, one sentence each. */
export async function missingPermissions(cluster: KubeConnection, checks: AccessCheck[]): Promise<string[]> {
  try {
    await requireAllowed(cluster, checks);
    return [];
  } catch (error) {
    if (!(error instanceof ParityError) || error.code !== "Forbidden") throw error;
    return error.details.length > 0 ? error.details.map((detail) => detail.message) : [error.message];
  }
}

/** What a workload made of the run's job (an experiment's trials) asks of the preparation. */
export interface ClusterWorkloadOptions {
  /** What the user must be allowed in the namespace, instead of the job's own. */
  permissions?(namespace: string): AccessCheck[];
  /** Checks of its own, after the cluster's and before anything slow (the build, the push). */
  beforeBuild?(job: LoadedJob, cluster: KubeConnection): Promise<void>;
}

export interface PreparedClusterRun {
  cluster: KubeConnection;
  job: LoadedJob;
  runId: string;
  built: BuildResult;
  spec: ClusterRunSpec;
  prediction: Prediction;
  delivery: Delivery;
  /** The YAML submitted, as `parity manifest` prints it. */
  manifest: string;
}

/**
 * Everything before a cluster run, failing fast: the cluster and the user's permissions, then the
 * preflight, and only then the slow part (build, report, push).
 */
export async function prepareClusterRun(
  context: SessionContext,
  request: RunRequest,
  options: ClusterWorkloadOptions = {},
): Promise<PreparedClusterRun> {
  const { print } = request;
  const docker = await connect(context, print);
  const job = await loadForRun(context, request, docker);
  const cluster = await connectTarget(context, job, request);
  const namespace = cluster.target.namespace;
  const registry = job.profile.profile.image.registry;
  // Said before the build: the cluster could not pull the image anyway.
  if (!registry) inProfile(job, () => withoutRegistry(job.plan.tag, cluster.target.context));
  const runId = newRunId(job.name);
  const draft = workloadFor(job, jobSpecFor(job, pulledImage(job), request.params), namespace, runId);
  await requireAllowed(cluster, options.permissions?.(namespace) ?? runPermissions(kindOf(draft), namespace));
  await options.beforeBuild?.(job, cluster);
  const prediction = await preflight(
    cluster.config,
    namespace,
    draft,
    undefined,
    job.profile.limits.productionGpu,
  );
  await requireSchedulable(
    prediction,
    renderManifest([draft]),
    request,
    "The cluster cannot schedule this job as it is; nothing was submitted.",
  );

  const { built, moduleDistributions } = await buildForRun(context, docker, job, request);
  const delivery = await deliverToCluster(context, docker, cluster, job, built.tag, request);

  const runSpec = jobSpecFor(job, delivery.reference, request.params, moduleDistributions);
  const workload = workloadFor(job, runSpec, namespace, runId);
  const resource = workloadResource(kindOf(workload));
  return {
    cluster,
    job,
    runId,
    built,
    prediction,
    delivery,
    manifest: renderManifest([workload]),
    spec: {
      job: runSpec,
      workload,
      demands: podDemands(workload),
      ref: {
        context: cluster.target.context,
        server: cluster.target.server,
        namespace,
        kind: kindOf(workload),
        apiVersion: resource.apiVersion,
        name: workload.metadata?.name ?? runId,
        imageDelivery: delivery.action,
      },
    },
  };
}

/**
 * Makes an image built here pullable by the cluster, as the profile says (pushed to image.registry
 * with the window's or Docker's credentials, or nothing to do where the cluster shares the engine).
 */
export async function deliverToCluster(
  context: SessionContext,
  docker: { docker: Parameters<typeof deliverImage>[0] },
  cluster: KubeConnection,
  job: LoadedJob,
  localTag: string,
  request: Pick<RunRequest, "registryCredentials" | "verbose" | "print">,
): Promise<Delivery> {
  const registry = job.profile.profile.image.registry;
  const credentials = await pushCredentials(context, registry, request.registryCredentials);
  const delivery = await deliverImage(docker.docker, {
    localTag,
    registry,
    kubeContext: cluster.target.context,
    credentials,
    signal: context.signal,
    onProgress: request.verbose ? (line) => request.print(`  ${line}`) : undefined,
  }).catch((error: unknown) => {
    throw locateInProfile(error, job);
  });
  request.print(`Image:    ${delivery.detail}`);
  return delivery;
}

/**
 * The preflight's problems printed, and a stop before anything slow where the pods would not
 * schedule, unless the user (asked with the manifest) goes on anyway; `refusal` says what was not done.
 */
export async function requireSchedulable(
  prediction: Prediction,
  manifest: string,
  request: Pick<RunRequest, "print" | "confirmUnschedulable">,
  refusal: string,
): Promise<void> {
  for (const problem of prediction.problems)
    request.print(`${problem.severity === "error" ? "✗" : "!"} ${problem.message}`);
  if (prediction.schedulable || (await request.confirmUnschedulable?.(prediction, manifest))) return;
  throw new ParityError("WouldNotSchedule", refusal, {
    fix:
      prediction.problems.find((problem) => problem.severity === "error")?.fix ?? "See the problems above.",
  });
}

/** What pushes to the profile's registry: the credentials given (the extension's SecretStorage), else the registry host's from Docker's config. */
export async function pushCredentials(
  context: SessionContext,
  registry: string | undefined,
  given: RegistryCredentials | undefined,
): Promise<RegistryCredentials | undefined> {
  if (given || !registry) return given;
  return credentialsFor(registry.split("/")[0]!, {
    env: context.env,
    homeDir: context.env.HOME ?? homedir(),
  });
}

/** Runs `step`, giving a profile field it names the profile's file and line. */
function inProfile<T>(job: LoadedJob, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw locateInProfile(error, job);
  }
}
