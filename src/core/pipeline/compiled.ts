import { ParityError } from "../errors";
import { kindOf } from "../notebook/parameters";
import { STEP_ENV } from "./stepScripts";
import type { PipelineParameter } from "./types";

/** How one step runs in Parity's image once compiled for a cluster's pipeline engine (KFP, Argo). */
export interface CompiledStepPlan {
  /** The step's script in the image (absolute). */
  script: string;
  /** The pipeline parameters its parameters cell takes, overridden through PARITY_PARAMETERS. */
  parameterNames: string[];
  /** Whether it receives every pipeline parameter as a global (a pipeline.yaml step). */
  allParameters: boolean;
}

/** A pipeline parameter as an engine passes it: text, a number or a boolean. */
export interface TypedParameter {
  type: "string" | "integer" | "number" | "boolean";
  value: string | number | boolean;
}

/** Where the runtime reads `-p` overrides of a notebook's parameters cell. */
const PARAMETERS_VARIABLE = "PARITY_PARAMETERS";

/**
 * What the step's container runs first: its environment set from its arguments, then its script.
 * The engine (KFP, Argo) puts each parameter's value into an argument of its own, as it is, and
 * this converts it by the parameter's type: a value is never spliced into JSON, so quotes,
 * backslashes and newlines in it arrive intact. Arguments: script, the step's plan as JSON (its
 * parameters' names and types, input and output paths), then one value per parameter.
 */
export const STEP_ENTRY = [
  "python",
  "-c",
  [
    "import json, os, sys",
    "script, plan = sys.argv[1], json.loads(sys.argv[2])",
    "texts = dict(zip(plan['parameters'], sys.argv[3:]))",
    "def typed(name):",
    "    text, kind = texts[name], plan['types'][name]",
    "    if kind == 'string':",
    "        return text",
    "    if kind == 'boolean':",
    "        return text.strip().lower() == 'true'",
    "    return int(float(text)) if kind == 'integer' else float(text)",
    `os.environ['${PARAMETERS_VARIABLE}'] = json.dumps({name: typed(name) for name in plan['own']})`,
    `os.environ['${STEP_ENV.pipelineParameters}'] = json.dumps({name: typed(name) for name in plan['all']})`,
    `os.environ['${STEP_ENV.inputs}'] = json.dumps(plan['inputs'])`,
    `os.environ['${STEP_ENV.outputNames}'] = json.dumps(plan['outputs'])`,
    `os.environ['${STEP_ENV.outputFiles}'] = json.dumps(plan['files'])`,
    "os.execvp(sys.executable, [sys.executable, script])",
  ].join("\n"),
];

/**
 * The arguments of STEP_ENTRY for a step: its plan, with the engine's placeholder for each input
 * and output path (`input(name)`, `output(name)`: paths, which hold no quotes), then each
 * parameter's placeholder (`parameter(name)`) as an argument of its own.
 */
export function stepArguments(
  plan: CompiledStepPlan,
  step: { inputs: { name: string }[]; outputs: string[] },
  parameters: Map<string, TypedParameter>,
  placeholders: {
    parameter(name: string): string;
    input(name: string): string;
    output(name: string): string;
  },
): string[] {
  const used = usedParameters(plan, parameters);
  const stepPlan = {
    parameters: used,
    types: Object.fromEntries(used.map((name) => [name, parameters.get(name)!.type])),
    own: used.filter((name) => plan.parameterNames.includes(name)),
    all: plan.allParameters ? used : [],
    inputs: Object.fromEntries(step.inputs.map((input) => [input.name, placeholders.input(input.name)])),
    outputs: step.outputs,
    files: Object.fromEntries(step.outputs.map((name) => [name, placeholders.output(name)])),
  };
  return [plan.script, JSON.stringify(stepPlan), ...used.map((name) => placeholders.parameter(name))];
}

/** The pipeline parameters a step is given. */
export function usedParameters(plan: CompiledStepPlan, parameters: Map<string, TypedParameter>): string[] {
  return [...parameters.keys()].filter((name) => plan.allParameters || plan.parameterNames.includes(name));
}

/**
 * The pipeline's parameters an engine can pass (text, numbers, booleans), and a sentence for each
 * it cannot (a list, None): the steps keep their own default of those.
 */
export function typedParameters(parameters: PipelineParameter[]): {
  typed: Map<string, TypedParameter>;
  notes: string[];
} {
  const typed = new Map<string, TypedParameter>();
  const notes: string[] = [];
  for (const parameter of parameters) {
    const value =
      parameter.defaultValue !== undefined ? parameter.defaultValue : pythonValue(parameter.defaultSource);
    if (typeof value === "boolean") typed.set(parameter.name, { type: "boolean", value });
    else if (typeof value === "number")
      typed.set(parameter.name, {
        type: kindOf(parameter.defaultSource ?? "") === "int" ? "integer" : "number",
        value,
      });
    else if (typeof value === "string") typed.set(parameter.name, { type: "string", value });
    else
      notes.push(
        `The parameter ${parameter.name} (${parameter.defaultSource ?? "no default"}) is not a plain string, number or boolean, which KFP and Argo pass: each step keeps its own default.`,
      );
  }
  return { typed, notes };
}

/** A default written as Python source, where it is a plain literal (a number, a boolean, a simple string). */
function pythonValue(source: string | undefined): unknown {
  if (source === undefined) return undefined;
  const kind = kindOf(source);
  if (kind === "int" || kind === "float") return Number(source.replace(/_/g, ""));
  if (kind === "bool") return source === "True";
  const quoted = /^(['"])((?:(?!\1)[^\\]|\\.)*)\1$/.exec(source);
  if (kind !== "string" || !quoted) return undefined;
  // The escapes pythonLiteral writes and people type; any other (\x, \u, \N) is not read here.
  const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };
  let unknown = false;
  const text = quoted[2]!.replace(/\\(.)/g, (_, character: string) => {
    if (character in escapes) return escapes[character]!;
    unknown = true;
    return character;
  });
  return unknown ? undefined : text;
}

/** Workflow and KFP names are lowercase words joined by '-'. */
export function engineName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "pipeline"
  );
}

/**
 * The step's name as KFP and Argo accept it (their task and template names take no '_'):
 * lowercase, '-' for anything else. Two steps that would get one name are refused.
 */
export function engineStepNames(names: string[]): Map<string, string> {
  const mapped = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const name of names) {
    const engine = name.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    const other = taken.get(engine);
    if (other !== undefined) {
      throw new ParityError(
        "CompileNameClash",
        `The steps ${other} and ${name} would both be called ${engine} in KFP and Argo, which allow no '_' or capitals in a task's name.`,
        { fix: `Rename one of them (the pipeline's step:${name} tag or name).` },
      );
    }
    taken.set(engine, name);
    mapped.set(name, engine);
  }
  return mapped;
}
