import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import path from "node:path";
import { ParityError } from "../errors";
import { checkProfileRules } from "../profile/checks";
import { quantityToBytes, quantityToNanoCpus, suggestQuantityFix } from "../profile/quantity";
import { parseYamlDocument, type YamlDocument } from "../yaml/document";
import type { FieldPath, YamlLocator } from "../yaml/locator";
import {
  describeSchemaErrors,
  formatFieldPath,
  schemaProblemsError,
  type SchemaProblem,
} from "../yaml/schemaErrors";
import schema from "./pipeline.schema.json";
import type {
  Pipeline,
  PipelineLocation,
  PipelineParameter,
  PipelineStep,
  StepInput,
  StepLimits,
} from "./types";
import { validatePipeline } from "./validate";

/** How the pipeline's schema is compiled (a test compiles it the same way, with the meta-schema check). */
export const PIPELINE_SCHEMA_OPTIONS = {
  allErrors: true,
  verbose: true,
  allowUnionTypes: true,
  strict: true,
} as const;

let validator: ValidateFunction | undefined;

/** Compiled on first use: ajv's compile costs milliseconds that activation should not pay. */
function validatePipelineSchema(): ValidateFunction {
  if (!validator) {
    // The schema is checked against ajv's meta-schema by a unit test, not on every read.
    const ajv = new Ajv({ ...PIPELINE_SCHEMA_OPTIONS, validateSchema: false });
    // VS Code's own keyword for a readable pattern message; an annotation for ajv.
    ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
    validator = ajv.compile(schema);
  }
  return validator;
}

type Scalar = string | number | boolean | null;
type WrittenQuantity = string | number;

/** A step as the schema and the rules let it be written: with a notebook or a script. */
type WrittenStep = WrittenStepFields &
  ({ notebook: string; script?: undefined } | { notebook?: undefined; script: string });

interface WrittenStepFields {
  name: string;
  after?: string[];
  inputs?: Record<string, string>;
  outputs?: string[];
  resources?: { memory?: WrittenQuantity; cpu?: WrittenQuantity; gpu?: number };
  retries?: number;
  cache?: boolean;
}

interface WrittenPipeline {
  name?: string;
  parameters?: Record<string, Scalar>;
  steps: WrittenStep[];
}

/**
 * Reads Parity's pipeline.yaml (`file` is its absolute path). Throws one ParityError
 * ("PipelineInvalid") for invalid YAML, one listing every problem of the file with its field and
 * line, or validatePipeline's for a pipeline whose steps do not fit together.
 */
export function parsePipelineYaml(text: string, file: string): Pipeline {
  const { value, locator } = readDocument(text, file);
  const folder = path.dirname(file);
  const problems = findProblems(value, folder, locator);
  if (problems.length > 0) {
    const count = problems.length === 1 ? "a problem" : `${problems.length} problems`;
    throw schemaProblemsError("PipelineInvalid", `The pipeline has ${count}.`, problems, file, locator);
  }
  const written = value as WrittenPipeline;
  const at = (fieldPath: FieldPath): PipelineLocation => ({
    file,
    line: locator.lineOf(fieldPath),
    field: formatFieldPath(fieldPath),
  });
  const stepNames = new Set(written.steps.map((step) => step.name));
  return validatePipeline({
    name: written.name ?? path.basename(folder),
    format: "pipeline-yaml",
    file,
    parameters: Object.entries(written.parameters ?? {}).map(([name, value]) =>
      toParameter(name, value, at(["parameters", name]), locator),
    ),
    steps: written.steps.map((step, index) => toStep(step, folder, stepNames, at(["steps", index]))),
  });
}

/** The YAML reader's errors, under the code every problem of a pipeline file has. */
function readDocument(text: string, file: string): YamlDocument {
  try {
    return parseYamlDocument(text, file, "pipeline");
  } catch (error) {
    if (!(error instanceof ParityError)) throw error;
    throw new ParityError("PipelineInvalid", error.message, {
      fix: error.fix,
      location: error.location,
      cause: error,
    });
  }
}

function findProblems(value: unknown, folder: string, locator: YamlLocator): SchemaProblem[] {
  const validate = validatePipelineSchema();
  const schemaProblems = validate(value)
    ? []
    : describeSchemaErrors(validate.errors ?? [], value, locator, {
        rootSchema: schema,
        rewrite: rewriteSchemaError,
      });
  // The rules check what they can of steps the schema rejected, but say nothing twice.
  const steps: unknown[] = isRecord(value) && Array.isArray(value.steps) ? value.steps : [];
  const rejected = new Set(schemaProblems.map((problem) => problem.path.join("/")));
  const ruleProblems = stepProblems(steps, folder).filter((problem) => !rejected.has(problem.path.join("/")));
  return [...schemaProblems, ...ruleProblems];
}

/** Schema errors ajv phrases for a machine, phrased for the person who wrote the file. */
function rewriteSchemaError(error: ErrorObject, fieldPath: FieldPath): SchemaProblem | undefined {
  const text = String(error.data);
  if (error.keyword === "pattern" && error.schemaPath.startsWith("#/definitions/quantity/")) {
    return {
      path: fieldPath,
      message: `"${text}" is not a valid Kubernetes quantity.`,
      fix: suggestQuantityFix(text, fieldPath.at(-1) === "cpu" ? "cpu" : "memory"),
    };
  }
  if (error.keyword === "pattern" && error.schemaPath.startsWith("#/definitions/inputReference/")) {
    return {
      path: fieldPath,
      message: `"${text}" does not say which step's output this input is.`,
      fix: `Write the producing step and the output's name as <step>.<output>, such as "prepare.${String(fieldPath.at(-1))}".`,
    };
  }
  if (error.keyword === "required" && fieldPath.length === 0 && error.params.missingProperty === "steps") {
    return {
      path: ["steps"],
      message: 'The pipeline has no "steps".',
      fix: 'Add "steps:" with a list of steps, each with a name and the notebook or script it runs.',
    };
  }
  return undefined;
}

/**
 * What the schema cannot say: each step runs exactly one notebook or script, inside the folder of
 * pipeline.yaml, within limits a job can have. Takes steps as written, whatever their shape.
 */
function stepProblems(steps: readonly unknown[], folder: string): SchemaProblem[] {
  return steps.flatMap((step, index) =>
    isRecord(step)
      ? [
          ...codeProblems(step, ["steps", index], folder),
          ...resourceProblems(step.resources, ["steps", index]),
        ]
      : [],
  );
}

function codeProblems(step: Record<string, unknown>, at: FieldPath, folder: string): SchemaProblem[] {
  const stepName = typeof step.name === "string" ? `The step ${step.name}` : "This step";
  if (step.notebook !== undefined && step.script !== undefined) {
    return [
      {
        path: [...at, "script"],
        message: `${stepName} names both a notebook and a script.`,
        fix: "A step runs one file: keep either notebook or script, and make another step for the other.",
      },
    ];
  }
  const field = step.notebook === undefined ? "script" : "notebook";
  const written = step[field];
  if (written === undefined) {
    return [
      {
        path: at,
        message: `${stepName} names no notebook or script to run.`,
        fix: 'Add "notebook: <file>.ipynb" or "script: <file>.py", relative to the folder of pipeline.yaml.',
      },
    ];
  }
  if (typeof written !== "string") return [];
  const outside = outsideFolderProblem(written, folder);
  return outside ? [{ path: [...at, field], ...outside }] : [];
}

/** A step may run only a file of the pipeline's folder, written relative to it, so the folder can move. */
function outsideFolderProblem(written: string, folder: string): Omit<SchemaProblem, "path"> | undefined {
  if (path.isAbsolute(written)) {
    return {
      message: `"${written}" is an absolute path.`,
      fix: `Write it relative to the folder of pipeline.yaml (${folder}), such as "${path.basename(written)}".`,
    };
  }
  const relative = path.relative(folder, path.resolve(folder, written));
  if (relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    return {
      message: `"${written}" is outside the folder of pipeline.yaml (${folder}).`,
      fix: "Move the file into that folder, or pipeline.yaml up to a folder holding both, and write the path from there.",
    };
  }
  return undefined;
}

/** The profile's own rules for its limits (more than 0, at least 6Mi, at least 10m), at the step's fields. */
function resourceProblems(resources: unknown, at: FieldPath): SchemaProblem[] {
  return checkProfileRules({ resources }).map((problem) => ({
    ...problem,
    path: [...at, ...problem.path],
  }));
}

function toStep(
  written: WrittenStep,
  folder: string,
  stepNames: ReadonlySet<string>,
  location: PipelineLocation,
): PipelineStep {
  const inputs = Object.entries(written.inputs ?? {}).map(([name, reference]) => toInput(name, reference));
  // A producer that is not a step is reported once, as an unknown producer, not again as an unknown `after`.
  const producers = inputs.map((input) => input.from).filter((name) => stepNames.has(name));
  const notebook = written.notebook ?? written.script;
  return {
    name: written.name,
    after: [...new Set([...(written.after ?? []), ...producers])],
    inputs,
    outputs: [...new Set(written.outputs ?? [])],
    limits: toLimits(written.resources ?? {}),
    retries: written.retries ?? 0,
    cache: written.cache ?? true,
    code: { kind: "notebook", notebookFile: path.resolve(folder, notebook) },
    location,
  };
}

/** "prepare.dataset": step names have no dot, so the first one ends the step's name. */
function toInput(name: string, reference: string): StepInput {
  const dot = reference.indexOf(".");
  return { name, from: reference.slice(0, dot), output: reference.slice(dot + 1) };
}

function toLimits(resources: NonNullable<WrittenStep["resources"]>): StepLimits {
  return {
    ...(resources.memory !== undefined && { memoryBytes: quantityToBytes(resources.memory) }),
    ...(resources.cpu !== undefined && { nanoCpus: quantityToNanoCpus(resources.cpu) }),
    ...(resources.gpu !== undefined && { gpu: resources.gpu }),
  };
}

function toParameter(
  name: string,
  value: Scalar,
  location: PipelineLocation,
  locator: YamlLocator,
): PipelineParameter {
  return {
    name,
    defaultSource: pythonLiteral(value, locator.scalarSource(["parameters", name])),
    defaultValue: value,
    location,
  };
}

/** A YAML scalar as Python source; `source` is the scalar as written, which tells 1.0 from 1. */
function pythonLiteral(value: Scalar, source?: string): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return pythonString(value);
  if (Number.isNaN(value)) return "float('nan')";
  if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "-float('inf')";
  const text = String(value);
  const writtenAsFloat = source !== undefined && /[.eE]/.test(source) && !/^[-+]?0x/i.test(source);
  return writtenAsFloat && /^-?\d+$/.test(text) ? `${text}.0` : text;
}

const PYTHON_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** Single-quoted, as Python's repr writes it; control characters escaped so the literal stays on one line. */
function pythonString(value: string): string {
  const escaped = value.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this escapes
    /[\\'\u0000-\u001f\u007f]/g,
    (character) => PYTHON_ESCAPES[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return `'${escaped}'`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
