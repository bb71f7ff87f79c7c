import path from "node:path";
import { ParityError } from "../errors";
import { envProblems } from "../job/envLimits";
import type { SchemaProblem } from "../yaml/schemaErrors";
import { checkGpuRules } from "./gpuChecks";
import {
  bytesToQuantity,
  ceilQuantity,
  formatBytes,
  isNegative,
  parseQuantity,
  type Quantity,
} from "./quantity";

/** Docker refuses memory limits under 6 MiB ("Minimum memory limit allowed is 6MB"). */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
/** A /dev/shm under 1 MiB is useless and almost always a unit slip ("64m" is 0.064 bytes). */
export const MIN_SHM_BYTES = 1024 * 1024;
/** Docker accepts CPU limits from 0.01 CPU. */
export const MIN_MILLI_CPU = 10;
/** Below this a "GPU memory" is a unit slip: no GPU (not even a MIG slice) has less. */
export const MIN_GPU_MEMORY_BYTES = 256 * 1024 * 1024;

type Fields = Record<string, unknown>;

/**
 * Rules JSON Schema cannot express: sizes that are valid quantities but not usable limits, env
 * values too large to reach a job, and an outputs folder that must stay inside the project unless
 * the profile allows otherwise. Runs on the raw document, field by field,
 * skipping fields the schema already rejected.
 */
export function checkProfileRules(document: unknown): SchemaProblem[] {
  if (!isRecord(document)) return [];
  const problems: SchemaProblem[] = [];
  const resources = isRecord(document.resources) ? document.resources : {};
  const sizes = checkResources(resources, ["resources"], problems);
  if (sizes.memory !== undefined && sizes.shm !== undefined && sizes.shm > sizes.memory) {
    problems.push(
      shmTooLarge(["resources", "shm"], sizes.shm, sizes.memory, "make shm smaller than memory."),
    );
  }
  const gpuMemory = checkSize(
    resources,
    ["resources"],
    "gpuMemory",
    MIN_GPU_MEMORY_BYTES,
    "no GPU has less than 256 MiB",
    problems,
  );
  problems.push(...checkGpuRules(document, gpuMemory));
  checkWorkerResources(document.cluster, resources, sizes, problems);
  if (isRecord(document.serving)) {
    checkPartResources(
      document.serving.resources,
      ["serving", "resources"],
      { resources, main: sizes },
      "give the endpoint an shm smaller than its memory (serving.resources.shm).",
      problems,
    );
  }
  checkEnv(document.env, problems);
  checkOutputs(document.outputs, document.allowOutputsOutsideProject === true, problems);
  return problems;
}

interface Sizes {
  memory?: bigint;
  shm?: bigint;
}

function checkResources(resources: Fields, at: string[], problems: SchemaProblem[]): Sizes {
  const memory = checkSize(
    resources,
    at,
    "memory",
    MIN_MEMORY_BYTES,
    "Docker refuses memory limits under 6 MiB",
    problems,
  );
  checkCpu(resources, at, problems);
  const shm = checkSize(resources, at, "shm", MIN_SHM_BYTES, "/dev/shm under 1 MiB is unusable", problems);
  return { memory, shm };
}

/** Workers take what they leave out from `resources`, so their shm is checked against the mix. */
function checkWorkerResources(
  cluster: unknown,
  resources: Fields,
  main: Sizes,
  problems: SchemaProblem[],
): void {
  const distributed = isRecord(cluster) && isRecord(cluster.distributed) ? cluster.distributed : undefined;
  if (!distributed) return;
  checkPartResources(
    distributed.workerResources,
    ["cluster", "distributed", "workerResources"],
    { resources, main },
    "give the workers an shm smaller than their memory (workerResources.shm).",
    problems,
  );
}

/**
 * A part's own resources (a worker's, the endpoint's), each field left out taken from `resources`:
 * checked as `resources` is, and its shm against the memory of the mix.
 */
function checkPartResources(
  own: unknown,
  at: string[],
  from: { resources: Fields; main: Sizes },
  shmFix: string,
  problems: SchemaProblem[],
): void {
  if (!isRecord(own)) return;
  const sizes = checkResources(own, at, problems);
  if (own.memory === undefined && own.shm === undefined) return;
  const memory =
    own.memory === undefined
      ? from.resources.memory === undefined
        ? undefined
        : from.main.memory
      : sizes.memory;
  const shm = own.shm === undefined ? from.main.shm : sizes.shm;
  if (memory !== undefined && shm !== undefined && shm > memory) {
    const field = own.shm === undefined ? "memory" : "shm";
    problems.push(shmTooLarge([...at, field], shm, memory, shmFix));
  }
}

function shmTooLarge(at: string[], shm: bigint, memory: bigint, what: string): SchemaProblem {
  return {
    path: at,
    message: `Shared memory (${formatBytes(shm)}) is larger than the memory limit (${formatBytes(memory)}).`,
    fix: `Files in /dev/shm count against the memory limit: ${what}`,
  };
}

function checkSize(
  resources: Fields,
  at: string[],
  field: "memory" | "shm" | "gpuMemory",
  minimum: number,
  reason: string,
  problems: SchemaProblem[],
): bigint | undefined {
  const quantity = validQuantity(resources[field]);
  if (!quantity) return undefined;
  const fieldPath = [...at, field];
  const bytes = ceilQuantity(quantity);
  if (isNegative(quantity) || quantity.unscaled === 0n) {
    problems.push({
      path: fieldPath,
      message: `${field} must be more than 0 (found "${quantity.text}").`,
      fix: sizeFix(quantity),
    });
    return undefined;
  }
  if (bytes < BigInt(minimum)) {
    problems.push({
      path: fieldPath,
      message: `"${quantity.text}" is only ${formatBytes(bytes)}; ${reason}.`,
      fix: sizeFix(quantity) ?? `Use at least "${bytesToQuantity(minimum)}".`,
    });
    return undefined;
  }
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    problems.push({
      path: fieldPath,
      message: `"${quantity.text}" is more than any machine has.`,
      fix: "Check the unit.",
    });
    return undefined;
  }
  return bytes;
}

/** The likely slip behind a tiny size: "500m" is milli-bytes, a plain "8" is bytes. */
function sizeFix(quantity: Quantity): string | undefined {
  const number = /^[+-]?([\d.]+)/.exec(quantity.text)?.[1] ?? quantity.text;
  if (quantity.text.endsWith("m")) return `"m" means thousandths. Did you mean "${number}Mi"?`;
  if (/^[+-]?[\d.]+$/.test(quantity.text)) return `A plain number is bytes. Did you mean "${number}Gi"?`;
  return undefined;
}

function checkCpu(resources: Fields, at: string[], problems: SchemaProblem[]): void {
  const quantity = validQuantity(resources.cpu);
  if (!quantity) return;
  const milli = ceilQuantity(quantity, 1000n);
  if (isNegative(quantity) || quantity.unscaled === 0n) {
    problems.push({
      path: [...at, "cpu"],
      message: `cpu must be more than 0 (found "${quantity.text}").`,
      fix: 'Write a number of CPUs such as "2", or millicores such as "500m".',
    });
  } else if (milli < BigInt(MIN_MILLI_CPU)) {
    problems.push({
      path: [...at, "cpu"],
      message: `"${quantity.text}" is less than 0.01 CPU, the least Docker accepts.`,
      fix: 'Use at least "10m".',
    });
  } else if (milli * 1_000_000n > BigInt(Number.MAX_SAFE_INTEGER)) {
    problems.push({
      path: [...at, "cpu"],
      message: `"${quantity.text}" CPUs is more than any machine has.`,
    });
  }
}

function checkEnv(env: unknown, problems: SchemaProblem[]): void {
  if (!isRecord(env)) return;
  const values = Object.entries(env).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  for (const { name, message, fix } of envProblems(Object.fromEntries(values), (key) => `env.${key}`)) {
    problems.push({ path: name === undefined ? ["env"] : ["env", name], message, fix });
  }
}

function checkOutputs(outputs: unknown, allowOutside: boolean, problems: SchemaProblem[]): void {
  if (typeof outputs !== "string" || outputs === "") return;
  const normalized = path.normalize(outputs);
  const outside = path.isAbsolute(outputs) || normalized === ".." || normalized.startsWith(`..${path.sep}`);
  if (outside && !allowOutside) {
    problems.push({
      path: ["outputs"],
      message: `The outputs folder "${outputs}" is outside the project.`,
      fix: 'Jobs may write only inside the project: use a relative folder such as "outputs", or add "allowOutputsOutsideProject: true" if they may write there.',
    });
  } else if (normalized === ".") {
    problems.push({
      path: ["outputs"],
      message: "The outputs folder is the whole project, so a job could overwrite your code.",
      fix: 'Use a sub-folder such as "outputs".',
    });
  }
}

function validQuantity(value: unknown): Quantity | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  try {
    return parseQuantity(value);
  } catch (error) {
    if (error instanceof ParityError) return undefined;
    throw error;
  }
}

function isRecord(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
