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
 * The step's command: its environment set from its arguments (where the engine resolves its
 * placeholders), then its script: sh -c ENTRY script parameters pipelineParameters inputs names outputs.
 */
export const STEP_ENTRY = [
  "sh",
  "-c",
  `export ${PARAMETERS_VARIABLE}="$1" ${STEP_ENV.pipelineParameters}="$2" ${STEP_ENV.inputs}="$3" ${STEP_ENV.outputNames}="$4" ${STEP_ENV.outputFiles}="$5"; exec python "$0"`,
];

/**
 * The arguments of STEP_ENTRY for a step: the JSON objects of its parameters, inputs and outputs,
 * with the engine's placeholder for each value (`parameter(name)`, `input(name)`, `output(name)`).
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
  const value = (name: string) => {
    const placeholder = placeholders.parameter(name);
    return parameters.get(name)!.type === "string" ? `"${placeholder}"` : placeholder;
  };
  return [
    plan.script,
    jsonTemplate(
      used.filter((name) => plan.parameterNames.includes(name)),
      value,
    ),
    jsonTemplate(plan.allParameters ? used : [], value),
    jsonTemplate(
      step.inputs.map((input) => input.name),
      (name) => `"${placeholders.input(name)}"`,
    ),
    JSON.stringify(step.outputs),
    jsonTemplate(step.outputs, (name) => `"${placeholders.output(name)}"`),
  ];
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
        `The parameter ${parameter.name} (${parameter.defaultSource ?? "no default"}) is not a string, number or boolean, which KFP and Argo pass: each step keeps its own default.`,
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
  if (kind === "string" && quoted) return quoted[2]!.replace(/\\(.)/g, "$1");
  return undefined;
}

/** A JSON object in which the engine puts each value (its placeholders), as one argument. */
function jsonTemplate(names: string[], value: (name: string) => string): string {
  return `{${names.map((name) => `${JSON.stringify(name)}: ${value(name)}`).join(", ")}}`;
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
