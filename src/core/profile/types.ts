import type { ProductionGpu } from "../gpu/productionGpu";
import type { FieldPath } from "../yaml/locator";

/** A Kubernetes quantity as written in YAML: "8Gi", "500m", or a plain number. */
export type QuantityText = string;

export interface ImageSpec {
  base: string;
  /** Undefined when a custom base image is given without it: the image itself says. */
  python?: string;
  requirements?: string;
  systemPackages: string[];
  registry?: string;
}

export interface ResourceSpec {
  memory: QuantityText;
  cpu: QuantityText;
  gpu: number;
  shm: QuantityText;
  /** Each of production's GPUs' memory, as written ("40Gi"); only in the profile's own `resources`. */
  gpuMemory?: QuantityText;
  /** Production's GPU as GPU feature discovery labels it ("NVIDIA-A100-SXM4-40GB"); only in `resources`. */
  gpuProduct?: string;
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  tolerationSeconds?: number;
}

export type DistributedKind = "PyTorchJob" | "TFJob";

/** A Kubeflow training job: one master (PyTorchJob) or chief (TFJob) with `resources`, plus workers. */
export interface DistributedSpec {
  kind: DistributedKind;
  workers: number;
  /** As written; each field left out is the same as in `resources`. */
  workerResources?: Partial<ResourceSpec>;
  /** Each worker's limits, with the fields left out taken from `resources`. */
  workerLimits: ResourceLimits;
}

export interface ClusterSpec {
  context?: string;
  namespace?: string;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  protected: boolean;
  distributed?: DistributedSpec;
}

export interface BuildSpec {
  /** PEM files relative to the profile, or "system" for this machine's trusted CAs. */
  caCertificates: string[] | "system";
  network: "bridge" | "host";
}

/** A profile with every default applied; field meanings are documented in parity.schema.json. */
export interface Profile {
  apiVersion: "parity.dev/v1";
  kind: "Profile";
  name?: string;
  image: ImageSpec;
  resources: ResourceSpec;
  env: Record<string, string>;
  cluster?: ClusterSpec;
  build: BuildSpec;
  outputs: string;
  /** Set only where the profile says so: outputs may then lie outside the project. */
  allowOutputsOutsideProject?: boolean;
  /** How the notebook's model is served; every field has a default, so a profile without it serves too. */
  serving?: ServingSpec;
}

/** The profile's `serving:` section with its defaults: the endpoint's model, name, protocol and limits. */
export interface ServingSpec {
  /** The model file, relative to the profile's folder, as written. */
  model?: string;
  name?: string;
  protocol: "v1" | "v2";
  /** As written; each field left out is the same as in `resources`. */
  resources?: Partial<ResourceSpec>;
  /** The endpoint's limits, the fields left out taken from `resources`. */
  limits: ResourceLimits;
}

/** The limits a job runs with, identical on Docker and on the cluster. */
export interface ResourceLimits {
  memoryBytes: number;
  /** CPU in thousandths, as Kubernetes rounds it ("0.0001" → 1). */
  milliCpu: number;
  /** CPU in billionths, as Docker's NanoCpus takes it. */
  nanoCpus: number;
  gpu: number;
  shmBytes: number;
  /** Production's GPU (its memory, product, compute capability), where the profile says and asks for GPUs. */
  productionGpu?: ProductionGpu;
}

/** Paths of the profile resolved against its folder. */
export interface ProfilePaths {
  /** May not exist for the embedded default profile: callers check. */
  requirements?: string;
  caCertificates: string[] | "system";
  outputs: string;
}

export interface ResolvedProfile {
  profile: Profile;
  /** The parity.yaml it came from; undefined for the embedded default profile. */
  file?: string;
  /** The folder paths are relative to: the profile's folder, or the workspace for the default. */
  dir: string;
  /** `profile.name`, or the folder name made into a Kubernetes name. */
  name: string;
  source: "file" | "default";
  limits: ResourceLimits;
  paths: ProfilePaths;
  /** Line of a field in the profile file, for errors found later (a missing requirements file...). */
  lineOf(path: FieldPath): number | undefined;
}
