import { posix } from "node:path";
import { ParityError } from "../../errors";
import type { KfpParameterType, KfpRuntimeArtifact, KfpTask } from "./types";

/** KFP's ExecutorInput message in its JSON form: what `{{$}}` stands for. */
export interface ExecutorInput {
  inputs: {
    parameterValues: Record<string, unknown>;
    artifacts: Record<string, { artifacts: KfpRuntimeArtifact[] }>;
  };
  outputs: {
    parameters: Record<string, { outputFile: string }>;
    artifacts: Record<string, { artifacts: KfpRuntimeArtifact[] }>;
    outputFile: string;
  };
}

/** What a task is given: its input parameters' values and its input artifacts (their paths in the container). */
export interface TaskInputs {
  parameters: Record<string, unknown>;
  artifacts: Record<string, KfpRuntimeArtifact>;
}

/** The names a task's placeholders may ask for (`{{$.pipeline_job_name}}`...). */
export interface TaskNames {
  pipelineName: string;
  pipelineRunId: string;
  taskRunId: string;
  /** Where the run's artifacts live, as the container sees it. */
  pipelineRoot: string;
  createdAt: string;
}

/** The file kfp's executor writes its outputs to, in the task's outputs folder. */
export const EXECUTOR_OUTPUT_FILE = "executor_output.json";

/**
 * The ExecutorInput KFP's backend gives a task: its parameters (those wired, then the component's
 * defaults), its input artifacts, and where each output goes. Outputs live in `outputsDir` (the
 * task's own folder as the container sees it), one path per output name, as kfp's local runner
 * lays them out.
 */
export function executorInput(task: KfpTask, inputs: TaskInputs, outputsDir: string): ExecutorInput {
  const parameterValues: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(task.parameterDefinitions)) {
    if (name in inputs.parameters) parameterValues[name] = inputs.parameters[name];
    else if (definition.defaultValue !== undefined) parameterValues[name] = definition.defaultValue;
  }
  for (const [name, value] of Object.entries(inputs.parameters)) {
    if (!(name in parameterValues)) parameterValues[name] = value;
  }
  return {
    inputs: {
      parameterValues,
      artifacts: Object.fromEntries(
        Object.entries(inputs.artifacts).map(([name, artifact]) => [name, { artifacts: [artifact] }]),
      ),
    },
    outputs: {
      parameters: Object.fromEntries(
        Object.keys(task.outputParameters).map((name) => [
          name,
          { outputFile: posix.join(outputsDir, name) },
        ]),
      ),
      artifacts: Object.fromEntries(
        Object.entries(task.outputArtifacts).map(([name, type]) => [
          name,
          { artifacts: [{ name, type, uri: posix.join(outputsDir, name), metadata: {} }] },
        ]),
      ),
      outputFile: posix.join(outputsDir, EXECUTOR_OUTPUT_FILE),
    },
  };
}

/**
 * The task's command and arguments with KFP's placeholders resolved as its backend resolves them:
 * `{{$}}` (the whole ExecutorInput as JSON), an input parameter's value (a string as it is, other
 * values as JSON), an artifact's uri or path (the same here: a path in the container), an output's
 * file, the pipeline's and task's names, and the `Concat`/`IfPresent` structures kfp writes as
 * JSON. Anything else is refused with the task and the placeholder.
 */
export function resolvePlaceholders(task: KfpTask, input: ExecutorInput, names: TaskNames): string[] {
  const resolved: string[] = [];
  for (const part of [...task.command, ...task.args]) {
    const structure = structuredPlaceholder(part);
    if (structure === undefined) resolved.push(resolveString(part, task, input, names));
    else resolved.push(...resolveStructure(structure, task, input, names));
  }
  return resolved;
}

function structuredPlaceholder(part: string): unknown {
  if (!/^\s*\{\s*"(Concat|IfPresent)"/.test(part)) return undefined;
  try {
    return JSON.parse(part) as unknown;
  } catch {
    return undefined;
  }
}

function resolveStructure(value: unknown, task: KfpTask, input: ExecutorInput, names: TaskNames): string[] {
  if (typeof value === "string") return [resolveString(value, task, input, names)];
  if (Array.isArray(value)) return value.flatMap((item) => resolveStructure(item, task, input, names));
  const structure = value as Record<string, unknown>;
  if (Array.isArray(structure.Concat)) {
    return [structure.Concat.flatMap((item) => resolveStructure(item, task, input, names)).join("")];
  }
  const ifPresent = structure.IfPresent as { InputName?: string; Then?: unknown; Else?: unknown } | undefined;
  if (ifPresent && typeof ifPresent.InputName === "string") {
    const present =
      ifPresent.InputName in input.inputs.parameterValues || ifPresent.InputName in input.inputs.artifacts;
    const branch = present ? ifPresent.Then : ifPresent.Else;
    return branch === undefined ? [] : resolveStructure(branch, task, input, names);
  }
  throw unknownPlaceholder(task, JSON.stringify(value));
}

const PLACEHOLDER = /\{\{\$(?:\.[^{}]*)?\}\}/g;

function resolveString(text: string, task: KfpTask, input: ExecutorInput, names: TaskNames): string {
  return text.replace(PLACEHOLDER, (placeholder) => {
    if (placeholder === "{{$}}") return JSON.stringify(input);
    const path = placeholder.slice(4, -2);
    const simple: Record<string, string> = {
      pipeline_job_name: names.pipelineName,
      pipeline_job_resource_name: names.pipelineRunId,
      pipeline_job_uuid: names.pipelineRunId,
      pipeline_task_name: task.name,
      pipeline_task_uuid: names.taskRunId,
      pipeline_root: names.pipelineRoot,
      pipeline_job_create_time_utc: names.createdAt,
      pipeline_job_schedule_time_utc: names.createdAt,
      "outputs.output_file": input.outputs.outputFile,
    };
    if (path in simple) return simple[path]!;
    const match = /^(inputs|outputs)\.(parameters|artifacts)\['([^']+)'\](?:\.(\w+))?$/.exec(path);
    if (match) {
      const [, side, kind, name, field] = match as unknown as [string, string, string, string, string?];
      if (side === "inputs" && kind === "parameters" && field === undefined) {
        if (name in input.inputs.parameterValues) return parameterText(input.inputs.parameterValues[name]);
        throw missingInput(task, name);
      }
      if (side === "outputs" && kind === "parameters" && field === "output_file") {
        const output = input.outputs.parameters[name];
        if (output) return output.outputFile;
      }
      if (kind === "artifacts" && (field === "uri" || field === "path" || field === "metadata")) {
        const artifact = (side === "inputs" ? input.inputs.artifacts : input.outputs.artifacts)[name]
          ?.artifacts[0];
        if (!artifact) throw missingInput(task, name);
        return field === "metadata" ? JSON.stringify(artifact.metadata) : artifact.uri;
      }
    }
    throw unknownPlaceholder(task, placeholder);
  });
}

/** How KFP puts a parameter's value into a command line: a string as it is, anything else as JSON. */
function parameterText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function unknownPlaceholder(task: KfpTask, placeholder: string): ParityError {
  return new ParityError(
    "PipelineInvalid",
    `The task ${task.name} uses the placeholder ${placeholder}, which Parity does not resolve.`,
    {
      fix: "Use the inputs', outputs' and pipeline's placeholders kfp's dsl writes (inputs, outputs, pipeline_job_name...).",
    },
  );
}

function missingInput(task: KfpTask, name: string): ParityError {
  return new ParityError(
    "PipelineInvalid",
    `The task ${task.name} uses its input ${name}, which it is not given.`,
    {
      fix: `Pass ${name} to the task in the pipeline, or give the component's input a default.`,
    },
  );
}

/**
 * A parameter's value from the text of a `-p name=value` or an output file, as KFP reads it for its
 * type: a string as it is, a boolean from true/false in any case, anything else as JSON.
 */
export function parameterValue(text: string, type: KfpParameterType, name: string): unknown {
  if (type === "STRING") return text;
  try {
    const value = JSON.parse(type === "BOOLEAN" ? text.trim().toLowerCase() : text) as unknown;
    if (type === "NUMBER_INTEGER" && !Number.isInteger(value)) throw new Error("not an integer");
    if (type === "NUMBER_DOUBLE" && typeof value !== "number") throw new Error("not a number");
    if (type === "BOOLEAN" && typeof value !== "boolean") throw new Error("not a boolean");
    if (type === "LIST" && !Array.isArray(value)) throw new Error("not a list");
    if (type === "STRUCT" && (typeof value !== "object" || value === null || Array.isArray(value)))
      throw new Error("not an object");
    return value;
  } catch {
    throw new ParityError(
      "PipelineParameterInvalid",
      `${name} is ${JSON.stringify(text)}, not ${TYPE_WORDS[type]}.`,
      {
        fix: `Give ${name} ${TYPE_WORDS[type]}.`,
      },
    );
  }
}

const TYPE_WORDS: Record<KfpParameterType, string> = {
  STRING: "a string",
  NUMBER_INTEGER: "an integer",
  NUMBER_DOUBLE: "a number",
  BOOLEAN: "true or false",
  LIST: "a JSON list",
  STRUCT: "a JSON object",
  TASK_FINAL_STATUS: "a task's final status",
};

/** What a task handed on: its output parameters' values and its artifacts' metadata. */
export interface TaskOutputs {
  parameters: Record<string, unknown>;
  artifactMetadata: Record<string, Record<string, unknown>>;
  /** Declared output parameters the task did not write. */
  missing: string[];
}

/**
 * A task's outputs as KFP reads them: the executor's output file (kfp's executor writes the
 * returned values and the artifacts' metadata there), then each output parameter's own file, which
 * a container component writes and which wins. `parameterFiles` holds each file's text, or
 * undefined where there is none.
 */
export function taskOutputs(
  task: KfpTask,
  executorOutput: string | undefined,
  parameterFiles: Record<string, string | undefined>,
): TaskOutputs {
  let written: { parameterValues?: Record<string, unknown>; artifacts?: Record<string, unknown> } = {};
  if (executorOutput !== undefined && executorOutput.trim() !== "") {
    try {
      written = JSON.parse(executorOutput) as typeof written;
    } catch {
      throw new ParityError(
        "TaskOutputInvalid",
        `The task ${task.name} wrote an ${EXECUTOR_OUTPUT_FILE} that is not JSON.`,
        {
          fix: "Write the outputs through kfp's executor (a lightweight component) or to each output's file.",
        },
      );
    }
  }
  const parameters: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, definition] of Object.entries(task.outputParameters)) {
    const text = parameterFiles[name];
    if (text !== undefined)
      parameters[name] = parameterValue(text, definition.parameterType, `${task.name}'s output ${name}`);
    else if (written.parameterValues && name in written.parameterValues)
      parameters[name] = written.parameterValues[name];
    else missing.push(name);
  }
  const artifactMetadata: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(task.outputArtifacts)) {
    const list = (
      written.artifacts?.[name] as { artifacts?: { metadata?: Record<string, unknown> }[] } | undefined
    )?.artifacts;
    artifactMetadata[name] = list?.[0]?.metadata ?? {};
  }
  return { parameters, artifactMetadata, missing };
}
