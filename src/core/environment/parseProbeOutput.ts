import { ParityError } from "../errors";
import { normalizeName } from "../requirements/names";
import type { Environment, Gpu, JaxBuild, TensorflowBuild, TorchBuild } from "./types";

type Json = Record<string, unknown>;

/**
 * Reads the probe's JSON from an interpreter's stdout. Tolerant of anything printed before it
 * (warnings, banners): the last line that parses as the probe's JSON wins.
 * `source` names the environment in messages: "local /usr/bin/python3", "image my-job:3f2a".
 */
export function parseProbeOutput(stdout: string, source: string): Environment {
  const raw = lastProbeObject(stdout);
  if (!raw) {
    const excerpt = stdout.trim().slice(-300) || "(nothing)";
    throw new ParityError(
      "ProbeOutputInvalid",
      `The environment probe for ${source} did not print its report; it printed: ${excerpt}`,
      {
        fix: "Check that the interpreter is Python 3.8 or newer and runs `python -c 'print(1)'` cleanly (no sitecustomize or startup script that exits).",
      },
    );
  }
  const python = object(raw.python);
  const memory = object(raw.memory);
  const cpu = object(raw.cpu);
  const nvidia = object(raw.nvidia);
  const frameworks = object(raw.frameworks);
  const cgroup = memory.cgroup === "v1" || memory.cgroup === "v2" ? memory.cgroup : undefined;
  return {
    source,
    python: {
      version: text(python.version) ?? "unknown",
      implementation: text(python.implementation) ?? "unknown",
      executable: text(python.executable) ?? "unknown",
      platform: text(python.platform) ?? "unknown",
      machine: text(python.machine) ?? "unknown",
    },
    distributions: normalizedDistributions(object(raw.distributions)),
    moduleDistributions: normalizedModules(object(raw.moduleDistributions)),
    ...optional(
      "submoduleDistributions",
      isObject(raw.submoduleDistributions) ? normalizedModules(raw.submoduleDistributions) : undefined,
    ),
    ...optional(
      "localDistributions",
      Array.isArray(raw.localDistributions) ? strings(raw.localDistributions).map(normalizeName) : undefined,
    ),
    stdlibModules: strings(raw.stdlibModules),
    searchPaths: strings(raw.searchPaths),
    frameworks: {
      ...optional("torch", torch(frameworks.torch)),
      ...optional("tensorflow", tensorflow(frameworks.tensorflow)),
      ...optional("jax", jax(frameworks.jax)),
    },
    nvidia: { driverVersion: text(nvidia.driverVersion), cudaVersion: text(nvidia.cudaVersion) },
    gpus: Array.isArray(raw.gpus) ? raw.gpus.map(gpu).filter((g): g is Gpu => g !== undefined) : [],
    memory: { totalBytes: count(memory.totalBytes), limitBytes: count(memory.limitBytes), cgroup },
    cpu: { count: count(cpu.count), quota: count(cpu.quota) },
    shmBytes: count(raw.shmBytes),
    problems: strings(raw.problems),
  };
}

function lastProbeObject(stdout: string): Json | undefined {
  const lines = stdout.split(/\r?\n/).reverse();
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (isObject(value) && value.probe === "parity") return value;
    } catch {
      // not JSON: an interpreter's own output line that happens to start with "{"
    }
  }
  return undefined;
}

function normalizedDistributions(raw: Json): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, version] of Object.entries(raw)) {
    const key = normalizeName(name);
    if (typeof version === "string" && !(key in result)) result[key] = version;
  }
  return result;
}

function normalizedModules(raw: Json): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [module, names] of Object.entries(raw)) result[module] = strings(names).map(normalizeName);
  return result;
}

function torch(raw: unknown): TorchBuild | undefined {
  if (!isObject(raw) || !text(raw.version)) return undefined;
  return {
    version: text(raw.version)!,
    cuda: text(raw.cuda),
    cudnn: text(raw.cudnn),
    cudaAvailable: raw.cudaAvailable === true,
    ...archList(raw.archList),
  };
}

function tensorflow(raw: unknown): TensorflowBuild | undefined {
  if (!isObject(raw) || !text(raw.version)) return undefined;
  return {
    version: text(raw.version)!,
    cuda: text(raw.cuda),
    cudnn: text(raw.cudnn),
    cudaBuild: raw.cudaBuild === true,
    ...archList(raw.archList),
  };
}

function jax(raw: unknown): JaxBuild | undefined {
  if (!isObject(raw) || !text(raw.version)) return undefined;
  return {
    version: text(raw.version)!,
    jaxlib: text(raw.jaxlib),
    backend: text(raw.backend),
    ...optional("cuda", text(raw.cuda)),
    ...optional("cudnn", text(raw.cudnn)),
  };
}

function gpu(raw: unknown): Gpu | undefined {
  if (!isObject(raw) || !text(raw.name)) return undefined;
  return {
    name: text(raw.name)!,
    memoryBytes: count(raw.memoryBytes),
    ...optional("computeCapability", text(raw.computeCapability)),
  };
}

/** A probe that predates the field says nothing of it: absent, not empty. */
function archList(value: unknown): { archList?: string[] } {
  return Array.isArray(value) ? { archList: strings(value) } : {};
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown): Json {
  return isObject(value) ? value : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
