import type { KubernetesObject, V1Container } from "@kubernetes/client-node";
import { serverArgs } from "./image";
import { ParityError } from "../errors";
import { GPU_RESOURCE, MANAGED_BY_LABEL, MANAGED_BY_VALUE, renderManifest } from "../manifests";
import { compact } from "../manifests/compact";
import { bytesToQuantity, milliCpuToQuantity } from "../profile/quantity";
import type { ResourceLimits, Toleration } from "../profile/types";
import {
  SERVER_HTTP_PORT,
  type ClusterEndpointState,
  type DeploymentMode,
  type EndpointCondition,
  type TrafficShare,
} from "./types";

/**
 * KServe 0.20.0's InferenceService (`serving.kserve.io/v1beta1`) as Parity writes and reads it: an
 * endpoint's manifest, its deployment mode, the cluster's KServe features, canary / promote / roll
 * back as edits of the object, and where it stands by its status. Everything here is checked
 * against the Go module v0.20.0 and the controller run in /work/kserve-research/REPORT.md §2.
 */

export const INFERENCE_SERVICE_RESOURCE = {
  group: "serving.kserve.io",
  version: "v1beta1",
  plural: "inferenceservices",
  apiVersion: "serving.kserve.io/v1beta1",
} as const;

/** Where KServe's controller reads the cluster's defaults (its POD_NAMESPACE upstream). */
export const KSERVE_CONFIG_MAP = { namespace: "kserve", name: "inferenceservice-config" } as const;

export const DEPLOYMENT_MODE_ANNOTATION = "serving.kserve.io/deploymentMode";
/** Knative mode: gives the `latest` and `prev` revisions their own URLs, so both can be asked side by side. */
export const TAG_ROUTING_ANNOTATION = "serving.kserve.io/enable-tag-routing";
/** On the predictor (its pods): which of Parity's revisions it runs, in both modes. */
export const REVISION_LABEL = "parity.dev/revision";
/**
 * Knative mode, while a canary is set: the stable revision, which the spec no longer names (the
 * predictor already runs the canary's image; Knative keeps the stable as `prev`).
 */
export const STABLE_REVISION_ANNOTATION = "parity.dev/stable-revision";
/** The container KServe treats as the model server (constants.InferenceServiceContainerName). */
export const KSERVE_CONTAINER = "kserve-container";
/** The memory-backed /dev/shm volume of the predictor's pod. */
const SHM_VOLUME = "dshm";
/** A custom container's model, as KServe's canary webhook requires it of the stable predictor. */
const STORAGE_URI = "STORAGE_URI";
/** KServe's pattern for InferenceService and predictor names (IsvcNameFmt; PredictorSpec.name). */
const NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SERVICE_NAME_MAX = 63;

/** The predictor as far as Parity writes or reads it; fields it does not know are kept as they are. */
export interface PredictorSpec {
  name?: string;
  minReplicas?: number;
  canaryTrafficPercent?: number;
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  containers?: V1Container[];
  [field: string]: unknown;
}

/** One entry of `spec.canary` (KServe ≥ 0.20, Standard mode only). */
export interface CanarySpec {
  trafficPercent: number;
  predictor: PredictorSpec;
}

interface StatusCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  severity?: string;
}

/** A Knative TrafficTarget as KServe copies it into the predictor's status. */
interface TrafficTarget {
  revisionName?: string;
  percent?: number;
  latestRevision?: boolean;
  tag?: string;
  url?: string;
}

export interface InferenceServiceStatus {
  conditions?: StatusCondition[];
  url?: string;
  address?: { url?: string };
  /** Revisions and traffic are filled in Knative mode only; Standard mode gives the predictor a url. */
  components?: {
    predictor?: {
      url?: string;
      latestReadyRevision?: string;
      latestCreatedRevision?: string;
      latestRolledoutRevision?: string;
      previousRolledoutRevision?: string;
      traffic?: TrafficTarget[];
    };
  };
  /** Standard mode: each canary's readiness, and its trafficPercent echoed from the spec. */
  canaryStatuses?: { name: string; ready: boolean; trafficPercent: number }[];
  deploymentMode?: string;
  /** The predictor's Deployment's (Standard) or Knative Service's (Knative), not the InferenceService's. */
  observedGeneration?: number;
}

export interface InferenceService extends KubernetesObject {
  spec: { predictor: PredictorSpec; canary?: CanarySpec[]; [field: string]: unknown };
  status?: InferenceServiceStatus;
}

export interface InferenceServiceInput {
  /** A Kubernetes name starting with a letter (KServe's own pattern). */
  name: string;
  namespace: string;
  /** The serving image, pushed where the cluster pulls it. */
  image: string;
  /** Parity's name for this model version, e.g. "m-1a2b3c4d": the predictor's name in Standard mode. */
  revision: string;
  /** The model's name in the inference routes. */
  modelName: string;
  limits: ResourceLimits;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  mode: DeploymentMode;
  /** The profile's env, as the local container gets it. */
  env?: Record<string, string>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * The InferenceService that serves a model from Parity's serving image, as a custom container
 * named `kserve-container` (KServe looks for that name). Its requests equal its limits, so the
 * pod gets what the endpoint got locally, on the profile's nodes. The deployment mode is written
 * out, never left to the cluster's default, because canaries work differently in each.
 *
 * Standard mode names the predictor after the revision (its Deployment and Service become
 * `<name>-<revision>-predictor`) and gives the container `STORAGE_URI=oci://<image>`: KServe's
 * webhook accepts a `spec.canary` only beside a named stable predictor with a model. Knative mode
 * leaves the predictor unnamed, because the name is the Knative Service's: a canary must be a new
 * revision of the same Service. The server's args replace the image's CMD (not its ENTRYPOINT), so
 * the serving image starts its server by ENTRYPOINT. gRPC is off: only the HTTP port is declared.
 */
export function inferenceServiceManifest(input: InferenceServiceInput): InferenceService {
  if (input.mode === "ModelMesh") throw modelMeshRefusal(input.name, "deploy");
  checkName(input.name, "EndpointNameInvalid", "The endpoint's name");
  checkRevision(input.revision);
  const standard = input.mode === "Standard";
  if (standard) checkServiceName(input.name, input.revision);
  const resources: Record<string, string> = {
    cpu: milliCpuToQuantity(input.limits.milliCpu),
    memory: bytesToQuantity(input.limits.memoryBytes),
    ...(input.limits.gpu > 0 ? { [GPU_RESOURCE]: String(input.limits.gpu) } : {}),
  };
  const container: V1Container = {
    name: KSERVE_CONTAINER,
    image: input.image,
    // The same arguments as a local endpoint: what was tried on the laptop is what runs.
    args: serverArgs(input.modelName, SERVER_HTTP_PORT),
    ports: [{ containerPort: SERVER_HTTP_PORT, protocol: "TCP" }],
    env: nonEmpty([
      ...Object.entries(input.env ?? {}).map(([name, value]) => ({ name, value })),
      ...(standard ? [{ name: STORAGE_URI, value: storageUri(input.image) }] : []),
    ]),
    resources: { requests: { ...resources }, limits: { ...resources } },
    // /dev/shm of the endpoint's size, memory-backed as the local container's (and a job's pod's).
    volumeMounts: [{ name: SHM_VOLUME, mountPath: "/dev/shm" }],
  };
  return compact({
    apiVersion: INFERENCE_SERVICE_RESOURCE.apiVersion,
    kind: "InferenceService",
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { ...input.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: {
        ...input.annotations,
        [DEPLOYMENT_MODE_ANNOTATION]: input.mode,
        ...(standard ? {} : { [TAG_ROUTING_ANNOTATION]: "true" }),
      },
    },
    spec: {
      predictor: {
        name: standard ? input.revision : undefined,
        minReplicas: 1,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [REVISION_LABEL]: input.revision },
        nodeSelector: input.nodeSelector,
        tolerations: input.tolerations,
        containers: [container],
        volumes: [
          {
            name: SHM_VOLUME,
            emptyDir: { medium: "Memory", sizeLimit: bytesToQuantity(input.limits.shmBytes) },
          },
        ],
      },
    },
  });
}

/** The InferenceService as YAML a team could commit (no status, no server-set metadata). */
export function inferenceServiceYaml(isvc: InferenceService): string {
  return renderManifest([isvc]);
}

/** KServe's names for a mode, the legacy ones (RawDeployment, Serverless) as its webhook normalises them. */
export function parseDeploymentMode(text: string | undefined): DeploymentMode | undefined {
  switch (text) {
    case "Standard":
    case "RawDeployment":
      return "Standard";
    case "Knative":
    case "Serverless":
      return "Knative";
    case "ModelMesh":
      return "ModelMesh";
    default:
      return undefined;
  }
}

/**
 * The mode KServe deploys an InferenceService in, read as its controller does (GetDeploymentMode):
 * the status first (the controller trusts it above all), then the annotation, then the cluster's
 * default from `inferenceservice-config` (see clusterServingConfig). Without that default (the
 * ConfigMap could not be read) it is KServe's code default, Standard; the source still says
 * "cluster default", so a caller that did not read the ConfigMap knows the mode is a guess.
 */
export function deploymentModeOf(
  isvc: InferenceService,
  clusterDefault?: DeploymentMode,
): { mode: DeploymentMode; source: ClusterEndpointState["modeSource"] } {
  const fromStatus = parseDeploymentMode(isvc.status?.deploymentMode);
  if (fromStatus) return { mode: fromStatus, source: "status" };
  const fromAnnotation = parseDeploymentMode(isvc.metadata?.annotations?.[DEPLOYMENT_MODE_ANNOTATION]);
  if (fromAnnotation) return { mode: fromAnnotation, source: "annotation" };
  return { mode: clusterDefault ?? "Standard", source: "cluster default" };
}

/** What Parity needs of the cluster's `inferenceservice-config`. */
export interface ClusterServingConfig {
  defaultDeploymentMode: DeploymentMode;
  /** KServe routes through Gateway API HTTPRoutes instead of Ingresses (`ingress.enableGatewayApi`). */
  enableGatewayApi: boolean;
}

/**
 * The ConfigMap `inferenceservice-config`'s data read as KServe's controller reads it: the `deploy`
 * entry's JSON `defaultDeploymentMode` (Standard where the entry is missing, KServe's code
 * default) and the `ingress` entry's `enableGatewayApi` (false where missing). An entry the
 * controller would refuse is refused here too, with what is wrong in it.
 */
export function clusterServingConfig(data: Record<string, string> | undefined): ClusterServingConfig {
  const deploy = configEntry(data, "deploy");
  const ingress = configEntry(data, "ingress");
  let defaultDeploymentMode: DeploymentMode = "Standard";
  if (deploy) {
    const written = deploy.defaultDeploymentMode;
    const mode = typeof written === "string" ? parseDeploymentMode(written) : undefined;
    if (!mode) {
      throw configError(
        "deploy",
        written === undefined || written === ""
          ? "has no defaultDeploymentMode"
          : `has defaultDeploymentMode ${JSON.stringify(written)}, which is not Standard, Knative or ModelMesh (nor the legacy RawDeployment or Serverless)`,
      );
    }
    defaultDeploymentMode = mode;
  }
  const gateway = ingress?.enableGatewayApi;
  if (gateway !== undefined && typeof gateway !== "boolean") {
    throw configError(
      "ingress",
      `has enableGatewayApi ${JSON.stringify(gateway)}, which is not true or false`,
    );
  }
  return { defaultDeploymentMode, enableGatewayApi: gateway === true };
}

function configEntry(
  data: Record<string, string> | undefined,
  key: string,
): Record<string, unknown> | undefined {
  const text = data?.[key];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw configError(key, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw configError(key, "is not a JSON object");
  }
  return value as Record<string, unknown>;
}

function configError(key: string, problem: string): ParityError {
  const { namespace, name } = KSERVE_CONFIG_MAP;
  return new ParityError(
    "KServeConfigInvalid",
    `The "${key}" entry of the ConfigMap ${name} in namespace ${namespace} ${problem}.`,
    {
      fix: `KServe's controller cannot read it either: ask the cluster's administrator to correct it (kubectl -n ${namespace} edit configmap ${name}).`,
    },
  );
}

/** The features of the cluster's KServe that Parity's canary depends on. */
export interface KServeCapabilities {
  /** `spec.canary` exists (KServe ≥ 0.20): a Standard-mode canary is its own predictor. */
  canarySpec: boolean;
  /** `status.canaryStatuses` exists (KServe ≥ 0.20): each canary's readiness is reported. */
  canaryStatuses: boolean;
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}

/** The part of a CustomResourceDefinition read here (V1CustomResourceDefinition fits it). */
export interface CustomResourceDefinitionShape {
  spec?: { versions?: { name?: string; schema?: { openAPIV3Schema?: SchemaNode } }[] };
}

/**
 * KServe's features read from its InferenceService CRD's v1beta1 schema: KServe puts no version
 * label on its CRDs, and its controller's image may not be readable, so the schema is the one
 * sign every user who can read CRDs gets.
 */
export function kserveCapabilities(crd: CustomResourceDefinitionShape): KServeCapabilities {
  const schema = crd.spec?.versions?.find((version) => version.name === "v1beta1")?.schema?.openAPIV3Schema;
  const has = (...path: string[]) =>
    path.reduce<SchemaNode | undefined>((node, key) => node?.properties?.[key], schema) !== undefined;
  return { canarySpec: has("spec", "canary"), canaryStatuses: has("status", "canaryStatuses") };
}

export interface CanaryRequest {
  image: string;
  revision: string;
  /**
   * The new model's predictor as a fresh manifest writes it (its container's limits, env and args,
   * the profile's placement): the canary runs under its own model's settings, not the stable's.
   */
  predictor?: PredictorSpec;
  /** The share of traffic asked for the canary: a whole number from 1 to 99. */
  percent: number;
}

export interface RolloutContext {
  mode: DeploymentMode;
  capabilities: KServeCapabilities;
  /** `ingress.enableGatewayApi` of the cluster; undefined where the ConfigMap could not be read. */
  gatewayApi?: boolean;
}

/** An edited InferenceService to update the cluster's with, and what it does to traffic. */
export interface RolloutEdit {
  isvc: InferenceService;
  /**
   * The split asked for, by Parity's revision names (Knative names its revisions only once it
   * makes them; endpointStateOf reports KServe's names): `applied` says whether KServe routes it.
   */
  traffic: TrafficShare[];
  /** What the user must know about the change, as sentences. */
  notes: string[];
}

/**
 * The InferenceService with a canary of another revision taking `percent` of the traffic.
 *
 * Knative: the predictor runs the new image and `canaryTrafficPercent` splits traffic between
 * its new Knative revision and the one rolled out before (`prev`), which KServe applies.
 * Standard: the canary is `spec.canary`, its own predictor beside the named stable one; KServe
 * 0.20.0 deploys it but routes nothing by its percentage (the notes and `applied: false` say so).
 * Refused: ModelMesh; Standard without `spec.canary` (canaryTrafficPercent would be silently
 * ignored, kserve#5335); a percentage outside 1–99; the stable revision itself as canary.
 */
export function canaryEdit(
  current: InferenceService,
  request: CanaryRequest,
  context: RolloutContext,
): RolloutEdit {
  const name = current.metadata?.name ?? "";
  if (context.mode === "ModelMesh") throw modelMeshRefusal(name, "run a canary of");
  if (!Number.isInteger(request.percent) || request.percent < 1 || request.percent > 99) {
    throw new ParityError(
      "CanaryPercentInvalid",
      `--canary takes the canary's share of traffic as a whole percentage from 1 to 99, not ${request.percent}.`,
      {
        fix: "Give --canary a number such as 10. To send all traffic to it, promote the canary; to send none, roll it back.",
      },
    );
  }
  checkRevision(request.revision);
  return context.mode === "Knative"
    ? knativeCanary(current, request)
    : standardCanary(current, request, context);
}

function knativeCanary(current: InferenceService, request: CanaryRequest): RolloutEdit {
  const name = current.metadata?.name ?? "";
  const rolledOut = current.status?.components?.predictor?.latestRolledoutRevision;
  if (!rolledOut) {
    throw new ParityError(
      "CanaryNotRolledOut",
      `The endpoint ${name} has no revision rolled out yet, and until it has, KServe gives a Knative canary all of the traffic.`,
      { fix: "Wait until the endpoint is Ready, then start the canary." },
    );
  }
  const predictor = current.spec.predictor;
  const container = kserveContainer(current, predictor);
  const inCanary = predictor.canaryTrafficPercent !== undefined;
  const stable = inCanary
    ? current.metadata?.annotations?.[STABLE_REVISION_ANNOTATION]
    : predictorRevision(predictor);
  if (request.revision === stable || (!inCanary && request.image === container.image)) {
    throw sameRevision(name, request.revision);
  }
  const running = predictorRevision(predictor);
  const next = structuredClone(current);
  next.spec.predictor = {
    ...predictor,
    ...placementOf(request.predictor),
    labels: { ...predictor.labels, [REVISION_LABEL]: request.revision },
    containers: request.predictor?.containers ?? withImage(predictor.containers ?? [], request.image, false),
    // Knative's predictor stays unnamed: a canary is a new revision of the same Service.
    name: predictor.name,
    canaryTrafficPercent: request.percent,
  };
  if (stable) setAnnotation(next, STABLE_REVISION_ANNOTATION, stable);
  const notes = [
    `KServe sends ${request.percent} % of the endpoint's requests to the new revision and ${100 - request.percent} % to the rolled-out one (${rolledOut}).`,
  ];
  if (inCanary && running !== request.revision && predictor.canaryTrafficPercent! > 0) {
    notes.push(`This replaces the canary ${running}, which stops getting traffic.`);
  }
  return {
    isvc: next,
    traffic: [
      { revision: stable ?? rolledOut, percent: 100 - request.percent, tag: "prev", applied: true },
      { revision: request.revision, percent: request.percent, tag: "latest", applied: true },
    ],
    notes,
  };
}

/** Fields KServe's webhook refuses on a canary predictor ("canary uses fixed replicas"), and Knative's split. */
const NOT_ON_CANARY = [
  "maxReplicas",
  "scaleTarget",
  "scaleMetric",
  "scaleMetricType",
  "autoScaling",
  "workerSpec",
  "canaryTrafficPercent",
];

function standardCanary(
  current: InferenceService,
  request: CanaryRequest,
  context: RolloutContext,
): RolloutEdit {
  const name = current.metadata?.name ?? "";
  if (!context.capabilities.canarySpec) {
    throw new ParityError(
      "CanaryUnsupported",
      `The cluster's KServe has no spec.canary (it is older than 0.20), and in Standard mode it silently ignores canaryTrafficPercent (kserve#5335): a canary of ${name} would get no traffic and no error.`,
      {
        fix: "Deploy the new revision as the endpoint itself, or as a second endpoint under another name to compare them; or ask the cluster's administrator for KServe 0.20 or later, or Knative mode.",
      },
    );
  }
  const stable = current.spec.predictor;
  const container = kserveContainer(current, stable);
  if (!stable.name) {
    throw new ParityError(
      "CanaryStableUnnamed",
      `The endpoint ${name}'s predictor has no name, and KServe accepts a canary only beside a named stable predictor.`,
      {
        fix: `Deploy ${name} again with Parity (it names the predictor after its revision), then start the canary.`,
      },
    );
  }
  if (request.revision === stable.name || request.image === container.image) {
    throw sameRevision(name, request.revision);
  }
  if (stable.model === undefined && !container.env?.some((variable) => variable.name === STORAGE_URI)) {
    throw new ParityError(
      "CanaryStableWithoutModel",
      `The endpoint ${name}'s predictor has no STORAGE_URI, and KServe accepts a canary only beside a stable predictor with a model.`,
      { fix: `Deploy ${name} again with Parity (it sets STORAGE_URI), then start the canary.` },
    );
  }
  const replaced = singleCanary(current);
  checkServiceName(name, request.revision);
  const canaryPredictor: PredictorSpec = Object.fromEntries(
    Object.entries(stable).filter(([key]) => !NOT_ON_CANARY.includes(key)),
  );
  const next = structuredClone(current);
  next.spec.canary = [
    {
      trafficPercent: request.percent,
      predictor: {
        ...canaryPredictor,
        ...placementOf(request.predictor),
        name: request.revision,
        labels: { ...stable.labels, [REVISION_LABEL]: request.revision },
        containers: request.predictor?.containers ?? withImage(stable.containers ?? [], request.image, true),
      },
    },
  ];
  // KServe's webhook checks the annotation itself, not the resolved mode.
  setAnnotation(next, DEPLOYMENT_MODE_ANNOTATION, "Standard");
  const canaryUrl = serviceUrl(current, request.revision);
  const notes = [standardTrafficNote(context.gatewayApi, stable.name, canaryUrl)];
  const replacedName = replaced?.predictor.name;
  if (replacedName && replacedName !== request.revision) {
    notes.push(`This replaces the canary ${replacedName}: KServe deletes its Deployment and Service.`);
  }
  return {
    isvc: next,
    traffic: [
      {
        revision: stable.name,
        percent: 100,
        tag: "stable",
        url: serviceUrl(current, stable.name),
        applied: true,
      },
      { revision: request.revision, percent: request.percent, tag: "canary", url: canaryUrl, applied: false },
    ],
    notes,
  };
}

function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

/** What a new model's predictor brings besides its containers: its placement and volumes. */
function placementOf(predictor: PredictorSpec | undefined): Partial<PredictorSpec> {
  if (!predictor) return {};
  const { nodeSelector, tolerations, volumes } = predictor;
  return {
    ...(nodeSelector ? { nodeSelector } : {}),
    ...(tolerations ? { tolerations } : {}),
    ...(volumes ? { volumes } : {}),
  };
}

/**
 * The InferenceService serving another model in place of its own (no canary): the predictor takes
 * the new model's containers, placement and revision label. In Standard mode it keeps its name, so
 * KServe rolls its Deployment (the old pods serve until the new ones are ready) instead of deleting
 * it for a newly named one; Knative makes a new revision that takes all traffic once ready.
 * Refused while a canary runs: it would be dropped.
 */
export function replaceModelEdit(
  current: InferenceService,
  fresh: InferenceService,
  revision: string,
): RolloutEdit {
  const name = current.metadata?.name ?? "";
  requireParityManaged(current);
  const predictor = current.spec.predictor;
  // A Knative canary rolled back (0 %) is over: a new model replaces it.
  const percent = predictor.canaryTrafficPercent;
  if ((current.spec.canary?.length ?? 0) > 0 || (percent !== undefined && percent > 0 && percent < 100)) {
    throw new ParityError(
      "CanaryInProgress",
      `${name} has a canary: replacing its model now would drop it.`,
      {
        fix: "Promote it (--promote) or roll it back (--rollback) first, or deploy this model as the canary (--canary <percent>).",
      },
    );
  }
  const next = structuredClone(current);
  const incoming = fresh.spec.predictor;
  next.metadata = {
    ...next.metadata,
    labels: { ...current.metadata?.labels, ...fresh.metadata?.labels },
    annotations: { ...current.metadata?.annotations, ...fresh.metadata?.annotations },
  };
  delete next.metadata.annotations?.[STABLE_REVISION_ANNOTATION];
  next.spec.predictor = {
    ...predictor,
    ...placementOf(incoming),
    labels: { ...predictor.labels, ...incoming.labels, [REVISION_LABEL]: revision },
    containers: incoming.containers,
    name: predictor.name,
  };
  delete next.spec.predictor.canaryTrafficPercent;
  return {
    isvc: next,
    traffic: [{ revision: predictor.name ?? revision, percent: 100, applied: true }],
    notes: [
      `The new model replaces ${name}'s for all traffic once KServe has it ready (its old pods serve until then); use --canary <percent> to try it beside the current one first.`,
    ],
  };
}

/** Why a Standard canary's percentage is recorded but not applied, in the cluster's own terms. */
function standardTrafficNote(gatewayApi: boolean | undefined, stable: string, canaryUrl: string): string {
  const route =
    gatewayApi === true
      ? "KServe 0.20.0 records the canary's trafficPercent but routes nothing by it: weighted Gateway API routes came in later releases (kserve#5912), and a cluster's KServe release cannot be told from its CRD."
      : `KServe records the canary's trafficPercent but routes nothing by it: only Gateway API routes are weighted, in releases after 0.20.0, and this cluster ${gatewayApi === false ? "uses" : "may use"} a Kubernetes Ingress (ingress.enableGatewayApi${gatewayApi === false ? " is off" : " could not be read"}).`;
  return `${route} Every request to the endpoint's URL goes to the stable predictor ${stable}; the canary answers at its own Service, ${canaryUrl}.`;
}

/**
 * The InferenceService with its canary made the stable revision. Knative: `canaryTrafficPercent`
 * removed, so the latest revision takes all traffic. Standard: the predictor takes the canary's
 * name, labels and containers and `spec.canary` goes (KServe deletes the old predictor's
 * Deployment and moves the endpoint's URL). Refused where there is no canary.
 */
export function promoteEdit(current: InferenceService, mode: DeploymentMode): RolloutEdit {
  const name = current.metadata?.name ?? "";
  if (mode === "ModelMesh") throw modelMeshRefusal(name, "promote a canary of");
  const next = structuredClone(current);
  if (mode === "Knative") {
    const predictor = knativeCanaryPredictor(current, "promote");
    const { canaryTrafficPercent: _split, ...promoted } = predictor;
    next.spec.predictor = promoted;
    removeAnnotation(next, STABLE_REVISION_ANNOTATION);
    const revision = predictorRevision(predictor) ?? "the canary";
    return {
      isvc: next,
      traffic: [{ revision, percent: 100, tag: "latest", applied: true }],
      notes: [
        `KServe sends every request to ${revision}; the revision it replaces stays as the previous one (previousRolledoutRevision).`,
      ],
    };
  }
  const canary = singleCanary(current);
  if (!canary) throw noCanary(name, "promote");
  const stable = current.spec.predictor;
  const revision = canary.predictor.name ?? "";
  next.spec.predictor = {
    ...stable,
    name: canary.predictor.name,
    ...(canary.predictor.labels && { labels: canary.predictor.labels }),
    ...(canary.predictor.containers && { containers: canary.predictor.containers }),
  };
  delete next.spec.canary;
  return {
    isvc: next,
    traffic: [{ revision, percent: 100, tag: "stable", url: serviceUrl(current, revision), applied: true }],
    notes: [
      `KServe makes ${revision} the stable predictor, moves the endpoint's URL to it and deletes ${predictorServiceName(name, stable.name)}; its pods start again once.`,
    ],
  };
}

/**
 * The InferenceService with its canary taken out of traffic. Knative: `canaryTrafficPercent: 0`,
 * KServe's documented rollback: the rolled-out revision (`prev`) takes all traffic at once and the
 * canary's revision stays, with none. Standard: `spec.canary` removed (KServe deletes its
 * Deployment and Service). Refused where there is no canary.
 */
export function rollbackEdit(current: InferenceService, mode: DeploymentMode): RolloutEdit {
  const name = current.metadata?.name ?? "";
  if (mode === "ModelMesh") throw modelMeshRefusal(name, "roll back a canary of");
  const next = structuredClone(current);
  if (mode === "Knative") {
    const predictor = knativeCanaryPredictor(current, "roll back");
    next.spec.predictor = { ...predictor, canaryTrafficPercent: 0 };
    const canary = predictorRevision(predictor) ?? "the canary";
    const stable =
      current.metadata?.annotations?.[STABLE_REVISION_ANNOTATION] ??
      current.status?.components?.predictor?.latestRolledoutRevision ??
      "the previous revision";
    return {
      isvc: next,
      traffic: [
        { revision: stable, percent: 100, tag: "prev", applied: true },
        { revision: canary, percent: 0, tag: "latest", applied: true },
      ],
      notes: [
        `KServe sends every request to ${stable}; the canary's revision (${canary}) stays deployed with no traffic until the next canary or deploy.`,
      ],
    };
  }
  const canary = singleCanary(current);
  if (!canary) throw noCanary(name, "roll back");
  delete next.spec.canary;
  const stable = current.spec.predictor.name ?? "";
  return {
    isvc: next,
    traffic: [
      { revision: stable, percent: 100, tag: "stable", url: serviceUrl(current, stable), applied: true },
    ],
    notes: [
      `KServe deletes the canary's Deployment and Service (${predictorServiceName(name, canary.predictor.name)}); ${stable} keeps serving.`,
    ],
  };
}

/** The predictor of a Knative endpoint with a canary taking traffic; a rolled-back one (0 %) has none. */
function knativeCanaryPredictor(current: InferenceService, verb: string): PredictorSpec {
  const predictor = current.spec.predictor;
  const name = current.metadata?.name ?? "";
  if (predictor.canaryTrafficPercent === undefined) throw noCanary(name, verb);
  if (predictor.canaryTrafficPercent === 0) {
    throw new ParityError(
      "CanaryRolledBack",
      `The endpoint ${name}'s canary was rolled back (it gets 0 % of the traffic), so there is no canary to ${verb}.`,
      { fix: "Start a canary again with --canary to give it traffic." },
    );
  }
  return predictor;
}

/**
 * Where the endpoint stands on the cluster, by its InferenceService: its mode, revisions, URLs,
 * conditions and traffic. Knative reports the split KServe applies (`status.components.predictor
 * .traffic`). Standard mode has no split in 0.20.0: the stable predictor gets 100 % (applied) and
 * each canary its requested share, not applied, with the Service where it answers.
 */
export function endpointStateOf(
  isvc: InferenceService,
  clusterDefault?: DeploymentMode,
): ClusterEndpointState {
  const { mode, source } = deploymentModeOf(isvc, clusterDefault);
  const status = isvc.status;
  const predictorStatus = status?.components?.predictor;
  const conditions = (status?.conditions ?? []).map((condition): EndpointCondition => ({
    type: condition.type,
    status: condition.status === "True" || condition.status === "False" ? condition.status : "Unknown",
    ...(condition.reason && { reason: condition.reason }),
    ...(condition.message && { message: condition.message }),
    ...(condition.lastTransitionTime && { lastTransitionTime: condition.lastTransitionTime }),
  }));
  const common = {
    mode,
    modeSource: source,
    conditions,
    ...(status?.url && { url: status.url }),
    ...(status?.address?.url && { internalUrl: status.address.url }),
  };
  if (mode === "Knative") {
    return {
      ...common,
      ...(predictorStatus?.latestRolledoutRevision && { revision: predictorStatus.latestRolledoutRevision }),
      ...(predictorStatus?.previousRolledoutRevision && {
        previousRevision: predictorStatus.previousRolledoutRevision,
      }),
      traffic: (predictorStatus?.traffic ?? []).map((target): TrafficShare => ({
        revision: target.revisionName ?? predictorStatus?.latestReadyRevision ?? "",
        percent: target.percent ?? 0,
        ...(target.tag && { tag: target.tag }),
        ...(target.url && { url: target.url }),
        applied: true,
      })),
    };
  }
  if (mode === "ModelMesh") return { ...common, traffic: [] };
  const stable = isvc.spec.predictor.name;
  const observed = new Map((status?.canaryStatuses ?? []).map((each) => [each.name, each]));
  return {
    ...common,
    ...(stable && { revision: stable }),
    traffic: [
      {
        // An unnamed predictor (not deployed by Parity) is known by its Service's name.
        revision: stable ?? predictorServiceName(isvc.metadata?.name ?? "", undefined),
        percent: 100,
        tag: "stable",
        url: serviceUrl(isvc, stable),
        applied: true,
      },
      ...(isvc.spec.canary ?? []).map((canary): TrafficShare => ({
        revision: canary.predictor.name ?? "",
        percent: observed.get(canary.predictor.name ?? "")?.trafficPercent ?? canary.trafficPercent,
        tag: "canary",
        url: serviceUrl(isvc, canary.predictor.name),
        applied: false,
      })),
    ],
  };
}

/** Why an endpoint will not become ready, and what to do. */
export interface EndpointFailure {
  reason: string;
  message: string;
  fix: string;
}

export interface EndpointReadiness {
  ready: boolean;
  failed?: EndpointFailure;
  /** What it waits for, as words that follow "waiting for". */
  waitingFor?: string;
}

/** Reasons of a False condition that mean "not yet", not "failed". */
const IN_PROGRESS = new Set(["", "MinimumReplicasUnavailable", "CanariesNotReady"]);

/**
 * Whether the endpoint serves its spec, from its status. First whether KServe has applied the
 * spec at all: `status.observedGeneration` cannot say (KServe copies the Deployment's or Knative
 * Service's generation into it, never the InferenceService's), so the status is compared with
 * the spec instead: the mode set, the Standard predictor's Service as the address and the canaries
 * listed, the Knative split as asked. Then a condition False for a reason that is a failure
 * (ProgressDeadlineExceeded, FailedCreate, a Knative revision that failed...), explained; then
 * `Ready`; then the canary: its predictor available (Standard), its revision ready (Knative).
 * A Standard canary that never becomes available has no reason in KServe 0.20.0's status: the
 * caller needs a timeout and the canary's pods for that.
 */
export function readinessOf(isvc: InferenceService): EndpointReadiness {
  const conditions = isvc.status?.conditions ?? [];
  const stopped = conditions.find((condition) => condition.type === "Stopped");
  if (stopped?.status === "True") {
    return {
      ready: false,
      failed: {
        reason: "Stopped",
        message: `KServe has stopped the endpoint ${isvc.metadata?.name ?? ""} (annotation serving.kserve.io/stop).`,
        fix: "Remove the annotation serving.kserve.io/stop from the InferenceService, or set it to false.",
      },
    };
  }
  const pending = notYetApplied(isvc);
  if (pending) return { ready: false, waitingFor: pending };
  const failed = [...conditions]
    .sort((a, b) => Number(a.type === "Ready") - Number(b.type === "Ready"))
    .find(
      (condition) =>
        condition.type !== "Stopped" &&
        condition.status === "False" &&
        !IN_PROGRESS.has(condition.reason ?? ""),
    );
  if (failed) return { ready: false, failed: explainCondition(failed, isvc) };
  const ready = conditions.find((condition) => condition.type === "Ready");
  if (ready?.status !== "True") {
    const why = ready?.reason ? ` (${[ready.reason, ready.message].filter(Boolean).join(": ")})` : "";
    return { ready: false, waitingFor: `the endpoint to become Ready${why}` };
  }
  const canary = canaryNotReady(isvc);
  return canary ? { ready: false, waitingFor: canary } : { ready: true };
}

/** What KServe has not yet applied of the spec, as the words after "waiting for"; undefined when all is. */
function notYetApplied(isvc: InferenceService): string | undefined {
  const status = isvc.status;
  const reconcile = "KServe to apply the InferenceService's latest change";
  if (!status?.deploymentMode) return "KServe to reconcile the InferenceService";
  const { mode } = deploymentModeOf(isvc);
  if (mode === "Knative") {
    const traffic = status.components?.predictor?.traffic;
    if (!traffic?.length) return reconcile;
    const asked = status.components?.predictor?.latestRolledoutRevision
      ? (isvc.spec.predictor.canaryTrafficPercent ?? 100)
      : 100;
    const latest = traffic.find((target) => target.latestRevision);
    return (latest?.percent ?? 0) === asked ? undefined : reconcile;
  }
  if (mode === "ModelMesh") return undefined;
  const host = status.address?.url?.replace(/^https?:\/\//, "") ?? "";
  const service = predictorServiceName(isvc.metadata?.name ?? "", isvc.spec.predictor.name);
  if (!host.startsWith(`${service}.`)) return reconcile;
  const asked = (isvc.spec.canary ?? []).map((canary) => `${canary.predictor.name}=${canary.trafficPercent}`);
  const seen = (status.canaryStatuses ?? []).map((canary) => `${canary.name}=${canary.trafficPercent}`);
  return asked.join(",") === seen.join(",") ? undefined : reconcile;
}

/** The canary that does not serve yet, where there is one. */
function canaryNotReady(isvc: InferenceService): string | undefined {
  const status = isvc.status;
  const name = isvc.metadata?.name ?? "";
  if (deploymentModeOf(isvc).mode === "Knative") {
    const predictor = status?.components?.predictor;
    const split = isvc.spec.predictor.canaryTrafficPercent;
    const latest = predictor?.latestCreatedRevision;
    if (split === 0 || !latest || latest === predictor?.latestReadyRevision) return undefined;
    return `the revision ${latest} to become ready`;
  }
  const waiting = (status?.canaryStatuses ?? []).find((canary) => !canary.ready);
  return waiting && `the canary predictor ${predictorServiceName(name, waiting.name)} to become available`;
}

/** A failed condition as what happened and what to do, by what KServe, Kubernetes or Knative said. */
function explainCondition(condition: StatusCondition, isvc: InferenceService): EndpointFailure {
  const name = isvc.metadata?.name ?? "";
  const namespace = isvc.metadata?.namespace ?? "default";
  const said = condition.message ? `: ${condition.message}` : ".";
  const pods = `kubectl -n ${namespace} describe pods -l serving.kserve.io/inferenceservice=${name}`;
  const reason = condition.reason ?? condition.type;
  const message = condition.message ?? "";
  if (/must not set the field\(s\)/.test(message) && /nodeSelector|tolerations|affinity/.test(message)) {
    return {
      reason,
      message: `Knative refused the endpoint's pods${said}`,
      fix: "Knative Serving allows nodeSelector and tolerations only with its features kubernetes.podspec-nodeselector and kubernetes.podspec-tolerations enabled (ConfigMap config-features in knative-serving): ask the cluster's administrator to enable them, or deploy in Standard mode.",
    };
  }
  if (reason === "ProgressDeadlineExceeded") {
    return {
      reason,
      message: `The endpoint's pods did not become ready within the Deployment's progress deadline${said}`,
      fix: `See why in the pods' events and logs (${pods}): an image the nodes cannot pull, a model server that exits or never listens on port ${SERVER_HTTP_PORT}, or a pod no node can take.`,
    };
  }
  if (reason === "FailedCreate") {
    return {
      reason,
      message: `Kubernetes could not create the endpoint's pods${said}`,
      fix: "This is usually the namespace's ResourceQuota or LimitRange, or its pod security rules: change what the message names, or ask the cluster's administrator.",
    };
  }
  if (/ContainerMissing|ImagePull|Unable to fetch image/i.test(`${reason} ${message}`)) {
    return {
      reason,
      message: `The cluster cannot pull the endpoint's image${said}`,
      fix: "Check that the image was pushed to a registry the cluster reaches, and that the namespace has its pull secret.",
    };
  }
  return {
    reason,
    message: `KServe reports ${condition.type} False (${reason})${said}`,
    fix: `kubectl -n ${namespace} describe inferenceservice ${name} and the pods' events (${pods}) say more.`,
  };
}

/** The part of a core/v1 Event read here. */
export interface EndpointEvent {
  type?: string;
  reason?: string;
  message?: string;
}

/**
 * What an event on the InferenceService means for the endpoint: a failure to show, or undefined
 * when it is nothing to act on. Only failures KServe reports by events alone are explained:
 * Knative mode without Knative (`ServerlessModeRejected`, the status stays Unknown) and a
 * reconcile that failed (`InternalError`, often another webhook refusing what KServe made).
 * `UpdateFailed ... the object has been modified` is KServe losing an optimistic-concurrency race
 * with itself and retrying: harmless. Readiness changes (`InferenceServiceNotReady`) are left to
 * the conditions (readinessOf), which say why.
 */
export function explainEndpointEvent(event: EndpointEvent): EndpointFailure | undefined {
  const message = event.message ?? "";
  // Optimistic concurrency: KServe read an older copy and retries by itself (InternalError or UpdateFailed).
  if (/the object has been modified/.test(message)) return undefined;
  switch (event.reason) {
    case "ServerlessModeRejected":
      return {
        reason: event.reason,
        message:
          "KServe cannot deploy the endpoint in Knative mode: Knative Serving is not installed on this cluster.",
        fix: "Deploy the endpoint in Standard mode, or ask the cluster's administrator to install Knative Serving.",
      };
    case "InternalError":
      return {
        reason: event.reason,
        message: `KServe could not reconcile the endpoint: ${message}`,
        fix: /must not set the field\(s\)/.test(message)
          ? "Knative Serving allows nodeSelector and tolerations only with its features kubernetes.podspec-nodeselector and kubernetes.podspec-tolerations enabled (ConfigMap config-features in knative-serving): ask the cluster's administrator, or deploy in Standard mode."
          : "Correct what the message names; KServe's controller log (namespace kserve) has the details.",
      };
    case "UpdateFailed":
      return {
        reason: event.reason,
        message: `KServe could not update the endpoint's status: ${message}`,
        fix: "KServe retries by itself; if it keeps failing, its controller log (namespace kserve) has the details.",
      };
    default:
      return undefined;
  }
}

function kserveContainer(isvc: InferenceService, predictor: PredictorSpec): V1Container {
  const container = predictor.containers?.find((each) => each.name === KSERVE_CONTAINER);
  if (!container) {
    const name = isvc.metadata?.name ?? "";
    throw new ParityError(
      "EndpointNotParity",
      `The InferenceService ${name} has no container named ${KSERVE_CONTAINER}, so it is not an endpoint Parity deployed.`,
      { fix: `Deploy ${name} with Parity first, or change it with kubectl.` },
    );
  }
  return container;
}

/**
 * Someone else's InferenceService under the endpoint's name is theirs: Parity replaces only one it
 * deployed (its managed-by label).
 */
function requireParityManaged(isvc: InferenceService): void {
  if (isvc.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) return;
  const name = isvc.metadata?.name ?? "";
  throw new ParityError(
    "EndpointNotParity",
    `The InferenceService ${name}${isvc.metadata?.namespace ? ` in ${isvc.metadata.namespace}` : ""} was not deployed by Parity (it has no ${MANAGED_BY_LABEL}: ${MANAGED_BY_VALUE} label), so Parity does not replace its model.`,
    {
      fix: `Give the endpoint another name (serving.name in parity.yaml), or remove ${name} yourself first if it is yours.`,
    },
  );
}

/** The containers with the model server's image replaced, and its STORAGE_URI where it has one or must. */
function withImage(containers: V1Container[], image: string, needsModel: boolean): V1Container[] {
  return containers.map((container) => {
    if (container.name !== KSERVE_CONTAINER) return container;
    const others = (container.env ?? []).filter((variable) => variable.name !== STORAGE_URI);
    const hasModel = needsModel || others.length !== (container.env ?? []).length;
    const env = hasModel ? [...others, { name: STORAGE_URI, value: storageUri(image) }] : container.env;
    return { ...container, image, ...(env && { env }) };
  });
}

function storageUri(image: string): string {
  return `oci://${image}`;
}

/** Parity's revision of a predictor: its label, else its name. */
function predictorRevision(predictor: PredictorSpec): string | undefined {
  return predictor.labels?.[REVISION_LABEL] ?? predictor.name;
}

/** The one canary of a Standard endpoint; more than one is not Parity's doing and is refused. */
function singleCanary(isvc: InferenceService): CanarySpec | undefined {
  const canaries = isvc.spec.canary ?? [];
  if (canaries.length > 1) {
    const name = isvc.metadata?.name ?? "";
    throw new ParityError(
      "CanaryMultiple",
      `The endpoint ${name} has ${canaries.length} canaries (${canaries.map((canary) => canary.predictor.name).join(", ")}); Parity runs one at a time.`,
      { fix: `Remove all but one from spec.canary with kubectl (kubectl edit inferenceservice ${name}).` },
    );
  }
  return canaries[0];
}

/** KServe's name for a predictor's Deployment and Service (PredictorServiceName). */
function predictorServiceName(isvcName: string, predictorName: string | undefined): string {
  return predictorName ? `${isvcName}-${predictorName}-predictor` : `${isvcName}-predictor`;
}

function serviceUrl(isvc: InferenceService, predictorName: string | undefined): string {
  const service = predictorServiceName(isvc.metadata?.name ?? "", predictorName);
  return `http://${service}.${isvc.metadata?.namespace ?? "default"}.svc.cluster.local`;
}

function setAnnotation(isvc: InferenceService, key: string, value: string): void {
  isvc.metadata = { ...isvc.metadata, annotations: { ...isvc.metadata?.annotations, [key]: value } };
}

function removeAnnotation(isvc: InferenceService, key: string): void {
  const { [key]: _removed, ...annotations } = isvc.metadata?.annotations ?? {};
  isvc.metadata = { ...isvc.metadata, annotations };
}

function checkName(name: string, code: string, what: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new ParityError(
      code,
      `${what} "${name}" is not a name KServe takes: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit.`,
      { fix: `Choose a name such as "${suggestedName(name)}".` },
    );
  }
}

function suggestedName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+|-+$/g, "");
  return slug || "model";
}

function checkRevision(revision: string): void {
  checkName(revision, "EndpointRevisionInvalid", "The revision");
}

/** Standard mode names a Service `<name>-<revision>-predictor`, which Kubernetes caps at 63 characters. */
function checkServiceName(name: string, revision: string): void {
  const service = predictorServiceName(name, revision);
  if (service.length > SERVICE_NAME_MAX) {
    throw new ParityError(
      "EndpointNameTooLong",
      `KServe would name the endpoint's Service ${service}, ${service.length} characters, over Kubernetes' ${SERVICE_NAME_MAX}.`,
      {
        fix: `Give the endpoint a name of at most ${SERVICE_NAME_MAX - service.length + name.length} characters.`,
      },
    );
  }
}

function sameRevision(name: string, revision: string): ParityError {
  return new ParityError(
    "CanarySameRevision",
    `This model is already the endpoint ${name}'s stable revision (${revision}): a canary of it would compare it with itself.`,
    { fix: "Train or change the model first, or promote or roll back the canary that is running." },
  );
}

function noCanary(name: string, verb: string): ParityError {
  return new ParityError("CanaryMissing", `The endpoint ${name} has no canary to ${verb}.`, {
    fix: "Start one with --canary first.",
  });
}

function modelMeshRefusal(name: string, verb: string): ParityError {
  return new ParityError(
    "EndpointModeUnsupported",
    `KServe's ModelMesh mode serves models from shared runtimes, not from an endpoint's own image: Parity cannot ${verb} the endpoint ${name} in it.`,
    { fix: "Deploy in Standard or Knative mode (serving.kserve.io/deploymentMode)." },
  );
}
