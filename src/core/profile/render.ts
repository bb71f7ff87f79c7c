import { dump } from "js-yaml";
import type { ClusterSpec, Profile } from "./types";

/**
 * A commented parity.yaml for `profile`, for the Create Profile command. Parsing the result gives
 * the same profile back; sections the profile leaves out appear as commented examples.
 */
export function renderProfileYaml(profile: Profile): string {
  const { image, resources, cluster, build } = profile;
  const lines = [
    "# Parity profile: what production is. Parity runs your notebook in this image, with these",
    "# limits, on local Docker or on the cluster. Every field is described in parity.schema.json.",
    field("apiVersion", profile.apiVersion),
    field("kind", profile.kind),
    profile.name === undefined
      ? "# name: my-project  # defaults to the folder name"
      : field("name", profile.name),
    "",
    "# The image production runs: its base image plus this project's packages.",
    "image:",
    ...indent([
      field("base", image.base),
      image.python === undefined
        ? '# python: "3.11"  # read from the base image when left out'
        : `${field("python", image.python)}  # quoted: unquoted 3.10 would be the number 3.1`,
      image.requirements === undefined
        ? "# requirements: requirements.txt  # pip requirements or lock file, relative to this file"
        : `${field("requirements", image.requirements)}  # relative to this file`,
      `${field("systemPackages", image.systemPackages)}${image.systemPackages.length ? "" : "  # Debian packages, e.g. [libgomp1]"}`,
      image.registry === undefined
        ? "# registry: registry.example.com/ml-team  # where images for the cluster are pushed"
        : field("registry", image.registry),
    ]),
    "",
    "# Production's limits, enforced on local runs too. Gi = 1024³ bytes, G = 1000³ bytes;",
    '# cpu in CPUs ("2", "0.5") or millicores ("500m").',
    "resources:",
    ...indent([
      field("memory", resources.memory),
      field("cpu", resources.cpu),
      field("gpu", resources.gpu),
      `${field("shm", resources.shm)}  # /dev/shm; counts against memory`,
      ...gpuFields(resources),
    ]),
    "",
    "# Environment variables for every run. Values are text: quote numbers and true/false.",
    field("env", profile.env),
    "",
    ...(cluster === undefined
      ? clusterExample()
      : ["# The Kubernetes cluster production runs on.", field("cluster", writtenCluster(cluster))]),
    "",
    "# Image builds: extra CA certificates trusted only while building (corporate TLS proxies),",
    '# as PEM files or "system"; network bridge or host.',
    "build:",
    ...indent([field("caCertificates", build.caCertificates), field("network", build.network)]),
    "",
    "# The folder jobs may write to, relative to this file; the rest of the project is read-only.",
    field("outputs", profile.outputs),
    ...(profile.allowOutputsOutsideProject === undefined
      ? []
      : [field("allowOutputsOutsideProject", profile.allowOutputsOutsideProject)]),
    ...(profile.serving === undefined
      ? []
      : ["", "# How the notebook's model is served.", field("serving", writtenServing(profile.serving))]),
  ];
  return `${lines.join("\n")}\n`;
}

/** Production's GPU, or where the profile asks for GPUs, how to name it. */
function gpuFields(resources: Profile["resources"]): string[] {
  const lines = [
    ...(resources.gpuProduct === undefined ? [] : [field("gpuProduct", resources.gpuProduct)]),
    ...(resources.gpuMemory === undefined ? [] : [field("gpuMemory", resources.gpuMemory)]),
  ];
  if (lines.length > 0 || resources.gpu === 0) return lines;
  return ["# gpuProduct: NVIDIA-A100-SXM4-40GB  # production's GPU: local runs are held to its memory"];
}

/** The serving section as written: its limits are derived, not written. */
function writtenServing(serving: NonNullable<Profile["serving"]>): Record<string, unknown> {
  const { limits: _limits, ...written } = serving;
  return written;
}

function clusterExample(): string[] {
  return [
    "# The Kubernetes cluster production runs on; leave it out to run on local Docker only.",
    "# cluster:",
    "#   context: prod-gpu",
    "#   namespace: ml-team",
    '#   nodeSelector: { nvidia.com/gpu.present: "true" }',
    "#   tolerations:",
    "#     - { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }",
    "#   protected: true  # confirm before deleting or replacing anything there",
    "#   distributed: { kind: PyTorchJob, workers: 2 }  # a Kubeflow job: a master and 2 workers",
  ];
}

/** `name: value`, with nested mappings and lists in block style below the name. */
function field(name: string, value: unknown): string {
  const text = dump(value, { quoteStyle: "double", lineWidth: -1 }).trimEnd();
  const nested =
    typeof value === "object" && value !== null && !text.startsWith("{") && !text.startsWith("[");
  return nested ? `${name}:\n${indent(text.split("\n")).join("\n")}` : `${name}: ${text}`;
}

function indent(lines: string[]): string[] {
  return lines.flatMap((line) => line.split("\n")).map((line) => `  ${line}`);
}

/** The cluster section as a user writes it: worker limits are worked out, not written. */
function writtenCluster(cluster: ClusterSpec): object {
  const { distributed, ...rest } = cluster;
  if (!distributed) return withoutUndefined(rest);
  const { workerLimits: _computed, ...written } = distributed;
  return withoutUndefined({ ...rest, distributed: withoutUndefined(written) });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
