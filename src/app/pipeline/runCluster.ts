import path from "node:path";
import { CoreV1Api, StorageV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { CancelledError, ParityError } from "../../core/errors";
import type { ClusterRunRef, RunResult } from "../../core/job/types";
import { jobNameFor, labelValue, RUN_LABEL, workloadResource } from "../../core/manifests";
import { writeArgoWorkflow, type ArgoPlan } from "../../core/pipeline/argo/write";
import { typedParameters, type TypedParameter } from "../../core/pipeline/compiled";
import type { Pipeline } from "../../core/pipeline/types";
import type { Prediction } from "../../core/preflight";
import { requireAllowed } from "../../targets/kube/access";
import type { KubeConnection } from "../../targets/kube/connection";
import { httpStatus } from "../../targets/kube/kubeErrors";
import type { RegistryCredentials } from "../../targets/registry/credentials";
import { deliverImage, withoutRegistry } from "../../targets/registry/deliver";
import type { SessionContext } from "../context";
import { resolveProfileFor } from "../job/load";
import { locateInProfile } from "../job/session";
import { newRunId, RunRecorder } from "../store/runStore";
import { checkPipelineFile } from "./check";
import { pushCredentials } from "../targets/cluster/prepare";
import type { DetachableRequest } from "../targets/target";
import { argoServed, connectPipelineCluster, predictSteps, workflowPermissions } from "./clusterCheck";
import { WorkflowFollower } from "./clusterFollow";
import type { PreparedPipeline } from "./formats/format";
import { preparePipeline } from "./prepare";
import { describePipeline, type PipelineRunRequest } from "./runLocal";

export interface PipelineClusterRunRequest extends PipelineRunRequest, DetachableRequest {
  placement?: { context?: string; namespace?: string };
  registryCredentials?: RegistryCredentials;
  /** Asked when a step's pod would not schedule: true submits the Workflow anyway. Refused without it. */
  confirmUnschedulable?(steps: { name: string; prediction: Prediction }[]): Promise<boolean>;
}

/**
 * Runs a pipeline on a Kubernetes cluster as an Argo Workflow: built here as for a local run, the
 * user's permissions and Argo checked and each step's pod predicted against the cluster before
 * anything is pushed, the images delivered as a job run's are, the Workflow submitted and followed
 * through its `status.nodes` and its pods: each try of a step a job run of its own (record, logs,
 * timeline, the diagnosis a cluster job gets), the pipeline's record listing where each step
 * stands. Cancelling deletes the Workflow, and with it its pods; `detach` leaves it running.
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
  const artifacts = await artifactRoute(cluster);
  print(artifacts.said);
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
  const credentials = await pushCredentials(context, prepared.registry, request.registryCredentials);
  for (const image of prepared.images) {
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
  const workflow = workflowFor(prepared, overrides, runId, references, artifacts.route);
  const recorder = await RunRecorder.create(prepared.base.workspaceDir, runId);
  const resource = workloadResource("Workflow");
  const follower = new WorkflowFollower(
    cluster,
    {
      workspaceDir: prepared.base.workspaceDir,
      steps: prepared.pipeline.steps,
      explainTraceback: (name) => {
        const step = prepared.pipeline.steps.find((each) => each.name === name);
        return step && prepared.format.explainTraceback?.(step);
      },
    },
    {
      runId,
      kind: "pipeline",
      target: "cluster",
      status: "pending",
      exitCode: null,
      oomKilled: false,
      image: prepared.image,
      notebook: prepared.pipeline.file,
      startedAt: new Date().toISOString(),
      memoryLimitBytes: prepared.base.limits.memoryBytes,
      diagnosis: [],
      cluster: {
        context: cluster.target.context,
        server: cluster.target.server,
        namespace,
        kind: "Workflow",
        apiVersion: resource.apiVersion,
        name: workflow.metadata!.name!,
        ...(delivered && { imageDelivery: delivered }),
      },
      timeline: [],
    },
    recorder,
    request,
    { cancel: context.signal, detach: request.detach },
  );
  try {
    return await follower.submit(workflow);
  } finally {
    await recorder.release();
  }
}

/** The ConfigMap in a namespace that names Argo's artifact repositories for its Workflows. */
const ARTIFACT_REPOSITORIES = "artifact-repositories";

/**
 * How the steps will hand on their files: through the artifact repository the namespace has
 * configured for Argo (its `artifact-repositories` ConfigMap), else on a volume the run claims.
 */
async function artifactRoute(
  cluster: KubeConnection,
): Promise<{ route: NonNullable<ArgoPlan["artifacts"]>; said: string }> {
  const namespace = cluster.target.namespace;
  const volume = `Artifacts: on a volume the Workflow claims (ReadWriteOnce; the cluster needs a storage class that provisions it)`;
  const onVolume = async (said: string) => ({
    route: "volume" as const,
    said:
      (await hasDefaultStorageClass(cluster)) === false
        ? `${said}\n! The cluster has no default StorageClass: unless a volume is there for it, the run's claim stays unbound and its first step Pending.`
        : said,
  });
  try {
    const found = await cluster.config
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: ARTIFACT_REPOSITORIES, namespace });
    if (Object.keys(found.data ?? {}).length === 0) return onVolume(volume);
    return {
      route: "repository",
      said: `Artifacts: through the artifact repository ${namespace} configures for Argo (ConfigMap ${ARTIFACT_REPOSITORIES})`,
    };
  } catch (error) {
    if (httpStatus(error) === 404) return onVolume(volume);
    return onVolume(
      `${volume}: whether ${namespace} configures an artifact repository could not be read (ConfigMap ${ARTIFACT_REPOSITORIES}).`,
    );
  }
}

/** Whether the cluster has a default StorageClass (undefined: it could not be asked). */
async function hasDefaultStorageClass(cluster: KubeConnection): Promise<boolean | undefined> {
  try {
    const classes = await cluster.config.makeApiClient(StorageV1Api).listStorageClass();
    return classes.items.some(
      (each) =>
        each.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true" ||
        each.metadata?.annotations?.["storageclass.beta.kubernetes.io/is-default-class"] === "true",
    );
  } catch {
    return undefined;
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
    const value = override.slice(at + 1);
    const problem = argoValueProblem(value, typed.get(name)!.type);
    if (problem) {
      throw new ParityError("PipelineParameterInvalid", `-p ${override}: ${name} ${problem}.`, {
        fix: `Give ${name} ${TYPE_WORDS[typed.get(name)!.type]}.`,
      });
    }
    overrides.set(name, value);
  }
  return overrides;
}

const TYPE_WORDS: Record<TypedParameter["type"], string> = {
  string: "text without {{",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
};

/** Why a value cannot go to the Workflow as a parameter of this type, where it cannot. */
function argoValueProblem(value: string, type: TypedParameter["type"]): string | undefined {
  // Argo reads {{...}} in a parameter's value as one of its own expressions.
  if (value.includes("{{")) return `holds "{{", which Argo would read as one of its expressions`;
  if (type === "integer" && !/^[+-]?\d+$/.test(value.trim())) return "is not a whole number";
  if (type === "number" && (value.trim() === "" || !Number.isFinite(Number(value)))) return "is not a number";
  if (type === "boolean" && !/^(true|false)$/i.test(value.trim())) return "is not true or false";
  return undefined;
}

/** The Workflow for this run: named after it, its pods labelled with it, the overrides as its arguments. */
function workflowFor(
  prepared: PreparedPipeline,
  overrides: Map<string, string>,
  runId: string,
  references: Map<string, string>,
  artifacts: ArgoPlan["artifacts"],
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
    artifacts,
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
