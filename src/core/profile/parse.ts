import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import path from "node:path";
import { parseYamlDocument } from "../yaml/document";
import type { FieldPath, YamlLocator } from "../yaml/locator";
import { describeSchemaErrors, schemaProblemsError, type SchemaProblem } from "../yaml/schemaErrors";
import { checkProfileRules } from "./checks";
import { DEFAULT_OUTPUTS, DEFAULT_PYTHON, DEFAULT_RESOURCES, defaultBaseImage } from "./defaults";
import schema from "./parity.schema.json";
import { quantityToBytes, suggestQuantityFix } from "./quantity";
import { limitsOf, resolveProfile } from "./resolve";
import type {
  ClusterSpec,
  DistributedSpec,
  Profile,
  ResolvedProfile,
  ResourceSpec,
  ServingSpec,
} from "./types";

export { schema as profileSchema };

const MEBIBYTE = 1024 * 1024;
const DEFAULT_SHM_MEBIBYTES = 256;

let validator: ValidateFunction | undefined;

/** How the profile's schema is compiled (a test compiles it the same way, with the meta-schema check). */
export const PROFILE_SCHEMA_OPTIONS = {
  allErrors: true,
  verbose: true,
  allowUnionTypes: true,
  strict: true,
} as const;

/** Compiled on first use: ajv's compile costs milliseconds that activation should not pay. */
function validateProfileSchema(): ValidateFunction {
  if (!validator) {
    // The schema itself is checked against ajv's meta-schema by a unit test, not on every start:
    // compiling the meta-schema was two thirds of the cost of the first profile read.
    const ajv = new Ajv({ ...PROFILE_SCHEMA_OPTIONS, validateSchema: false });
    // VS Code's own keyword for a readable pattern message; an annotation for ajv.
    ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
    validator = ajv.compile(schema);
  }
  return validator;
}

/**
 * Parses and validates parity.yaml text. Throws one ParityError for invalid YAML (with its line)
 * or one listing every problem of the profile, each with its field and line.
 */
export function parseProfile(text: string, file: string): ResolvedProfile {
  const { value, locator } = parseYamlDocument(text, file, "profile");
  const problems = findProblems(value, locator);
  if (problems.length > 0) {
    const count = problems.length === 1 ? "a problem" : `${problems.length} problems`;
    throw schemaProblemsError("ProfileInvalid", `The profile has ${count}.`, problems, file, locator);
  }
  return resolveProfile(withDefaults(value as WrittenProfile), {
    dir: path.dirname(file),
    file,
    source: "file",
    locator,
  });
}

function findProblems(value: unknown, locator: YamlLocator): SchemaProblem[] {
  const validate = validateProfileSchema();
  const schemaProblems = validate(value)
    ? []
    : describeSchemaErrors(validate.errors ?? [], value, locator, {
        rootSchema: schema,
        rewrite: rewriteQuantity,
      });
  const rejected = new Set(schemaProblems.map((problem) => problem.path.join("/")));
  const ruleProblems = checkProfileRules(value).filter((problem) => !rejected.has(problem.path.join("/")));
  return [...schemaProblems, ...ruleProblems];
}

/** A quantity that fails the schema's pattern gets the spelling the user most likely meant. */
function rewriteQuantity(error: ErrorObject, fieldPath: FieldPath): SchemaProblem | undefined {
  if (error.keyword !== "pattern" || !error.schemaPath.startsWith("#/definitions/quantity/"))
    return undefined;
  const text = String(error.data);
  return {
    path: fieldPath,
    message: `"${text}" is not a valid Kubernetes quantity.`,
    fix: suggestQuantityFix(text, fieldPath.at(-1) === "cpu" ? "cpu" : "memory"),
  };
}

type WrittenResources = Partial<Record<keyof ResourceSpec, string | number>>;
type WrittenDistributed = Pick<DistributedSpec, "kind" | "workers"> & { workerResources?: WrittenResources };

/** The profile as written: everything but apiVersion and kind may be left out. */
type WrittenProfile = Pick<
  Profile,
  "apiVersion" | "kind" | "name" | "env" | "outputs" | "allowOutputsOutsideProject"
> & {
  image?: Partial<Profile["image"]>;
  resources?: WrittenResources;
  cluster?: Partial<Omit<ClusterSpec, "distributed">> & { distributed?: WrittenDistributed };
  build?: Partial<Profile["build"]>;
  serving?: Omit<Partial<ServingSpec>, "limits" | "resources"> & { resources?: WrittenResources };
};

function withDefaults(written: WrittenProfile): Profile {
  const image = written.image ?? {};
  const python = image.python ?? (image.base === undefined ? DEFAULT_PYTHON : undefined);
  const resources = written.resources ?? {};
  const profile: Profile = {
    apiVersion: written.apiVersion,
    kind: written.kind,
    ...(written.name === undefined ? {} : { name: written.name }),
    image: {
      base: image.base ?? defaultBaseImage(python),
      ...(python === undefined ? {} : { python }),
      ...(image.requirements === undefined ? {} : { requirements: image.requirements }),
      systemPackages: image.systemPackages ?? [],
      ...(image.registry === undefined ? {} : { registry: image.registry }),
    },
    resources: {
      memory: String(resources.memory ?? DEFAULT_RESOURCES.memory),
      cpu: String(resources.cpu ?? DEFAULT_RESOURCES.cpu),
      gpu: Number(resources.gpu ?? DEFAULT_RESOURCES.gpu),
      shm: String(resources.shm ?? defaultShm(resources.memory)),
      ...(resources.gpuMemory === undefined ? {} : { gpuMemory: String(resources.gpuMemory) }),
      ...(resources.gpuProduct === undefined ? {} : { gpuProduct: String(resources.gpuProduct) }),
    },
    env: written.env ?? {},
    build: {
      caCertificates: written.build?.caCertificates ?? [],
      network: written.build?.network ?? "bridge",
    },
    outputs: written.outputs ?? DEFAULT_OUTPUTS,
    ...(written.allowOutputsOutsideProject === undefined
      ? {}
      : { allowOutputsOutsideProject: written.allowOutputsOutsideProject }),
  };
  if (written.serving) {
    const { resources: own, ...rest } = written.serving;
    profile.serving = {
      ...rest,
      protocol: rest.protocol ?? "v1",
      ...(own === undefined ? {} : { resources: asWritten(own) }),
      limits: limitsOf(mergedResources(own, profile.resources)),
    };
  }
  if (written.cluster) {
    const { nodeSelector, tolerations, protected: isProtected, distributed, ...rest } = written.cluster;
    profile.cluster = {
      ...rest,
      nodeSelector: nodeSelector ?? {},
      tolerations: tolerations ?? [],
      protected: isProtected ?? true,
      ...(distributed === undefined ? {} : { distributed: withWorkerLimits(distributed, profile.resources) }),
    };
  }
  return profile;
}

/** Workers take each resource they leave out from `resources`. */
function withWorkerLimits(written: WrittenDistributed, resources: ResourceSpec): DistributedSpec {
  const { kind, workers, workerResources } = written;
  return {
    kind,
    workers,
    ...(workerResources === undefined ? {} : { workerResources: asWritten(workerResources) }),
    workerLimits: limitsOf(mergedResources(workerResources, resources)),
  };
}

/** A part's own resources (workers, the endpoint), each field left out taken from `resources`. */
function mergedResources(written: WrittenResources | undefined, resources: ResourceSpec): ResourceSpec {
  const own = written ?? {};
  return {
    memory: String(own.memory ?? resources.memory),
    cpu: String(own.cpu ?? resources.cpu),
    gpu: Number(own.gpu ?? resources.gpu),
    shm: String(own.shm ?? resources.shm),
  };
}

/** Quantities as text, as the rest of the profile keeps them (YAML may give numbers). */
function asWritten(resources: WrittenResources): Partial<ResourceSpec> {
  return Object.fromEntries(
    Object.entries(resources).map(([key, value]) => [key, key === "gpu" ? Number(value) : String(value)]),
  );
}

/** 256Mi, or half the memory limit when that is smaller: /dev/shm counts against the limit. */
function defaultShm(memory: string | number | undefined): string {
  if (memory === undefined) return DEFAULT_RESOURCES.shm;
  const halfMebibytes = Math.floor(quantityToBytes(memory) / 2 / MEBIBYTE);
  return halfMebibytes >= DEFAULT_SHM_MEBIBYTES ? DEFAULT_RESOURCES.shm : `${Math.max(1, halfMebibytes)}Mi`;
}
