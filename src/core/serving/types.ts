import type { ResourceSpec } from "../profile/types";

/**
 * The two inference protocols KServe's model server answers: V1 (`POST /v1/models/<name>:predict`,
 * `{"instances": ...}`) and V2, the Open Inference Protocol (`POST /v2/models/<name>/infer`).
 */
export type InferenceProtocol = "v1" | "v2";

/** How a model file was saved, where Parity's generated server loads it. */
export type ServedFormat = "joblib" | "pickle";

/** Formats Parity recognises but does not serve yet: said plainly, never served by pretending. */
export type UnservedFormat = "torchscript" | "pytorch" | "savedmodel" | "keras" | "onnx";

/** The profile's `serving:` section, as written (every field optional). */
export interface ServingSection {
  /** The model file, relative to the profile's folder (or the outputs folder). */
  model?: string;
  /** The model's name in the inference routes (and the endpoint's); a Kubernetes name. */
  name?: string;
  /** The protocol requests default to; the server answers both. */
  protocol?: InferenceProtocol;
  /** The endpoint's own resources; each field left out is the same as in `resources`. */
  resources?: Partial<ResourceSpec>;
}

/** The KServe Python model server Parity installs into the serving image (PyPI `kserve`), pinned. */
export const KSERVE_VERSION = "0.20.0";

/** The port KServe's model server listens on for HTTP inside its container (its default). */
export const SERVER_HTTP_PORT = 8080;

/** Where an endpoint's deployment stands on a cluster, read from its InferenceService. */
export type DeploymentMode = "Standard" | "Knative" | "ModelMesh";

/** One revision's share of the endpoint's traffic, as KServe reports (Knative) or as requested (Standard). */
export interface TrafficShare {
  /** The predictor's revision (Knative) or predictor name (Standard). */
  revision: string;
  percent: number;
  /** "latest" or "prev" (Knative tags), "canary" or "stable" (Standard). */
  tag?: string;
  /** Where this revision alone answers, where KServe says (tag routing, the canary's own Service). */
  url?: string;
  /**
   * Whether KServe routes this share of the endpoint's URL to it. False where the percentage is
   * recorded but no router applies it (KServe 0.20 Standard mode sends all traffic to the stable
   * predictor: the canary answers at its own URL only).
   */
  applied: boolean;
}

/** A condition of the InferenceService, as KServe wrote it. */
export interface EndpointCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** What an endpoint's record says of its cluster side. */
export interface ClusterEndpointState {
  mode: DeploymentMode;
  /** Where the mode was read: the object's status, its annotation, or the cluster's ConfigMap default. */
  modeSource: "status" | "annotation" | "cluster default";
  /** The stable predictor's revision (Knative: latestRolledoutRevision; Standard: the predictor's name). */
  revision?: string;
  previousRevision?: string;
  /** The split KServe reports or was asked for; `applied` says which. */
  traffic: TrafficShare[];
  conditions: EndpointCondition[];
  /** The endpoint's external URL (status.url) and in-cluster one (status.address.url). */
  url?: string;
  internalUrl?: string;
}

/** An endpoint's record (a RunResult of kind "endpoint" carries it). */
export interface EndpointRecord {
  /** The model's name in the routes; also the container's or InferenceService's name. */
  name: string;
  /** The model file on this machine (absolute), and how it was saved. */
  modelFile: string;
  modelFormat: ServedFormat;
  /** The run whose outputs held the model, where it came from one. */
  fromRun?: string;
  /** The image the run ran in, and the serving image built on it. */
  runImage: string;
  servingImage: string;
  kserveVersion: string;
  protocols: InferenceProtocol[];
  /** The protocol requests default to (the profile's `serving.protocol`). */
  protocol: InferenceProtocol;
  /** Where it answers: `http://127.0.0.1:<port>` locally, the InferenceService's URL on a cluster. */
  url?: string;
  /**
   * Local: the endpoint goes on without the process that started it (`parity serve --detach`, a
   * window's Deploy Model), until it is stopped; otherwise it lives as long as that process.
   */
  detached?: boolean;
  /** Local: the loopback port and the container. */
  port?: number;
  containerId?: string;
  /** When KServe's readiness route first answered (local) or the Ready condition turned True (cluster). */
  readyAt?: string;
  /** How long from the start (the deploy click, `parity serve`) to ready, in ms. */
  coldStartMs?: number;
  /** How long building the serving image took in this start, in ms (0 when it was up to date). */
  buildMs?: number;
  cluster?: ClusterEndpointState;
}
