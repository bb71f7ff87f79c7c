import { posix } from "node:path";
import { ParityError } from "../../errors";
import type { ArgoContainer, ArgoPlace } from "../argo/write";
import type { Pipeline, PipelineStep } from "../types";
import { EXECUTOR_OUTPUT_FILE, executorInput, resolvePlaceholders, type TaskInputs } from "./executor";
import type { KfpParameterType, KfpTask } from "./types";

/** A value only the pod knows, as its entry (ARGO_TASK_ENTRY) finds it. */
type PodValue =
  /** A pipeline parameter: its argument's text, read for its KFP type. */
  | { parameter: string; type: KfpParameterType }
  /** An upstream task's output parameter: its own file, else its executor_output.json. */
  | { task: string; output: string; dir: string; type: KfpParameterType }
  /** An upstream task's artifact's metadata, from its executor_output.json. */
  | { task: string; metadata: string; dir: string };

/**
 * What stands in for the pod's values until it runs: one text per value, which JSON writes with
 * its backslash escaped, so the entry tells the form inside `{{$}}` and metadata (JSON, quoted)
 * from the bare form of a parameter's placeholder (text).
 */
const standIn = (index: number) => `@@PARITY\\VALUE_${index}@@`;

/**
 * What a kfp task's container runs first in an Argo pod: the values only known there (the
 * pipeline's parameters, from its arguments, each one argument of its own so that no value is
 * spliced into text; upstream outputs and artifacts' metadata, from the producers' folders on the
 * run's volume) read as KFP reads them, put where the task's command has their stand-ins (inside
 * `{{$}}` as JSON, elsewhere as KFP's text: a string as it is, anything else as JSON), its outputs
 * folder made, then the command. Arguments: the plan as JSON, then one value per parameter.
 */
export const ARGO_TASK_ENTRY = [
  "python3",
  "-c",
  [
    "import json, os, re, sys",
    "import base64",
    "text = base64.b64decode(sys.argv[1]).decode('utf-8')",
    "for index, name in enumerate(sys.argv[2:5]):",
    "    text = text.replace(f'@@PARITY_ARGO_{index}@@', name)",
    "plan = json.loads(text)",
    "texts = dict(zip(plan['parameters'], sys.argv[5:]))",
    "words = {'NUMBER_INTEGER': 'an integer', 'NUMBER_DOUBLE': 'a number', 'BOOLEAN': 'true or false',",
    "         'LIST': 'a JSON list', 'STRUCT': 'a JSON object', 'TASK_FINAL_STATUS': \"a task's final status\"}",
    "checks = {'NUMBER_INTEGER': lambda v: type(v) is int or type(v) is float and v.is_integer(),",
    "          'NUMBER_DOUBLE': lambda v: type(v) in (int, float), 'BOOLEAN': lambda v: type(v) is bool,",
    "          'LIST': lambda v: type(v) is list, 'STRUCT': lambda v: type(v) is dict}",
    "def refuse(constant):",
    "    raise ValueError(constant)",
    "def typed(text, kind, name):",
    "    if kind == 'STRING':",
    "        return text",
    "    try:",
    "        value = json.loads(text.strip().lower() if kind == 'BOOLEAN' else text, parse_constant=refuse)",
    "        ok = checks.get(kind, lambda v: True)(value)",
    "    except ValueError:",
    "        ok = False",
    "    if not ok:",
    "        sys.exit(f'{name} is {json.dumps(text, ensure_ascii=False)}, not {words[kind]}.')",
    "    return value",
    // JavaScript's JSON, which the local run writes: 2.0 is 2, no spaces, no escaped unicode.
    "def plain(value):",
    "    if type(value) is float and value.is_integer():",
    "        return int(value)",
    "    if type(value) is list:",
    "        return [plain(item) for item in value]",
    "    if type(value) is dict:",
    "        return {key: plain(item) for key, item in value.items()}",
    "    return value",
    "def dumps(value):",
    "    return json.dumps(plain(value), ensure_ascii=False, separators=(',', ':'))",
    "def written(source):",
    `    file = os.path.join(source['dir'], '${EXECUTOR_OUTPUT_FILE}')`,
    "    if not os.path.exists(file):",
    "        return {}",
    "    with open(file, encoding='utf-8') as f:",
    "        text = f.read()",
    "    try:",
    "        return json.loads(text) if text.strip() else {}",
    "    except ValueError:",
    `        sys.exit(f"The task {source['task']} wrote an ${EXECUTOR_OUTPUT_FILE} that is not JSON.")`,
    "def produced(source):",
    "    file = os.path.join(source['dir'], source['output'])",
    "    if os.path.exists(file):",
    "        with open(file, encoding='utf-8', newline='') as f:",
    "            return typed(f.read(), source['type'], f\"{source['task']}'s output {source['output']}\")",
    "    values = written(source).get('parameterValues') or {}",
    "    if source['output'] not in values:",
    "        sys.exit(f\"The task {source['task']} ended without writing its output {source['output']}.\")",
    "    return values[source['output']]",
    "def metadata(source):",
    "    found = (written(source).get('artifacts') or {}).get(source['metadata']) or {}",
    "    return ((found.get('artifacts') or [{}])[0] or {}).get('metadata') or {}",
    "def value(source):",
    "    if 'parameter' in source:",
    "        return typed(texts[source['parameter']], source['type'], 'The parameter ' + source['parameter'])",
    "    return metadata(source) if 'metadata' in source else produced(source)",
    "values = [value(source) for source in plan['values']]",
    "def put(match):",
    "    if match.group(1) is not None:",
    "        return dumps(values[int(match.group(1))])",
    "    found = values[int(match.group(2))]",
    "    return found if type(found) is str else dumps(found)",
    String.raw`marks = re.compile(r'"@@PARITY\\\\VALUE_(\d+)@@"|@@PARITY\\VALUE_(\d+)@@')`,
    "command = [marks.sub(put, part) for part in plan['command']]",
    "os.makedirs(plan['outputs'], exist_ok=True)",
    "os.execvp(command[0], command)",
  ].join("\n"),
];

/**
 * A kfp task as the container of an Argo Workflow's step, resolved in its pod as KFP's launcher
 * resolves it: what is known now (constants, defaults, paths, names, which inputs are present for
 * `IfPresent`) is resolved here by the local runner's own code (executor.ts), what only the pod
 * knows by ARGO_TASK_ENTRY. Outputs and artifacts are files on the run's volume laid out as a local
 * run lays them out: each in its task's outputs folder, named after the output.
 */
export function kfpArgoContainer(
  task: KfpTask,
  step: PipelineStep,
  place: ArgoPlace,
  image: string,
  pipeline: Pick<Pipeline, "name" | "parameters">,
  /** The image's own ENTRYPOINT: what a task that gives only arguments runs, as a container runtime would. */
  entrypoint: string[] = [],
): ArgoContainer {
  const values: PodValue[] = [];
  const taken: string[] = [];
  const later = (value: PodValue): string => {
    values.push(value);
    return standIn(values.length - 1);
  };
  const given: TaskInputs = { parameters: {}, artifacts: {} };
  for (const [name, source] of Object.entries(task.parameters)) {
    const definition = task.parameterDefinitions[name];
    const type = definition?.parameterType ?? "STRING";
    if ("constant" in source) {
      given.parameters[name] = source.constant;
      continue;
    }
    if ("task" in source) {
      given.parameters[name] = later({ ...source, dir: place.outputsDir(source.task), type });
      continue;
    }
    const parameter = pipeline.parameters.find((each) => each.name === source.pipelineParameter);
    if (place.parameters.has(source.pipelineParameter)) {
      if (!taken.includes(source.pipelineParameter)) taken.push(source.pipelineParameter);
      given.parameters[name] = later({
        parameter: source.pipelineParameter,
        type: parameter?.kfpType ?? type,
      });
    } else if (parameter?.defaultSource !== undefined) {
      // One Argo cannot pass (a list, an object) is the pipeline's default, as in a run without -p.
      given.parameters[name] = JSON.parse(parameter.defaultSource);
    } else if (definition?.defaultValue === undefined && !definition?.isOptional) {
      throw new ParityError(
        "CompileParameterMissing",
        `The task ${task.name}'s input ${name} is the pipeline's parameter ${source.pipelineParameter}, which has no default for the Argo Workflow to pass.`,
        {
          fix: `Give the pipeline's parameter ${source.pipelineParameter} a default (in the @dsl.pipeline function), then compile it with kfp again.`,
          location: { file: step.location.file, line: step.location.line },
        },
      );
    }
  }
  for (const [name, source] of Object.entries(task.artifacts)) {
    const dir = place.outputsDir(source.task);
    // A stand-in, which the pod makes the metadata's JSON wherever KFP writes it.
    const metadata: unknown = later({ task: source.task, metadata: source.output, dir });
    given.artifacts[name] = {
      name: source.output,
      type: task.artifactDefinitions[name] ?? { schemaTitle: "system.Artifact" },
      uri: posix.join(dir, source.output),
      metadata: metadata as Record<string, unknown>,
    };
  }
  const outputs = place.outputsDir(step.name);
  const command = resolvePlaceholders(task, executorInput(task, given, outputs), {
    pipelineName: pipeline.name,
    pipelineRunId: "{{workflow.name}}",
    taskRunId: "{{pod.name}}",
    pipelineRoot: posix.dirname(outputs),
    createdAt: "{{workflow.creationTimestamp}}",
  });
  // The entry runs instead of the image's ENTRYPOINT: a task without a command gets it back in front of its arguments.
  const full = task.command.length === 0 ? [...entrypoint, ...command] : command;
  if (full.length === 0) {
    throw new ParityError(
      "CompileTaskCommandMissing",
      `The task ${task.name} gives no command or arguments and its image ${task.image} has no ENTRYPOINT, so there is nothing to run.`,
      {
        fix: "Give the component's container a command.",
        location: { file: step.location.file, line: step.location.line },
      },
    );
  }
  const plan = { parameters: taken, values, command: full, outputs };
  for (const [name, value] of Object.entries(task.env)) {
    if (value.includes("{{")) {
      throw new ParityError(
        "CompileArgoExpression",
        `The task ${task.name}'s environment variable ${name} holds "{{", which Argo would read as one of its own expressions.`,
        {
          fix: `Pass that text another way (an input parameter), or leave "{{" out of ${name}.`,
          location: { file: step.location.file, line: step.location.line },
        },
      );
    }
  }
  // The plan holds the task's own text (a lightweight component's source): Argo, which reads every
  // {{...}} in a template, sees it only as base64. Its names of the run come as arguments of their own.
  let text = JSON.stringify(plan);
  ARGO_NAMES.forEach((name, index) => {
    text = text.split(name).join(argoStandIn(index));
  });
  return {
    image,
    command: ARGO_TASK_ENTRY,
    args: [
      Buffer.from(text, "utf8").toString("base64"),
      ...ARGO_NAMES,
      ...taken.map((name) => place.parameter(name)),
    ],
    ...(Object.keys(task.env).length > 0 && { env: task.env }),
    parameters: taken,
  };
}

/** The plan a task's pod reads (its first argument), with Argo's names still to be given (as the Workflow says them). */
export function kfpArgoPlan(args: string[]): unknown {
  let text = Buffer.from(args[0] ?? "", "base64").toString("utf8");
  ARGO_NAMES.forEach((name, index) => {
    text = text.split(argoStandIn(index)).join(name);
  });
  return JSON.parse(text) as unknown;
}

/** The run's names as Argo gives them to a pod's arguments. */
const ARGO_NAMES = ["{{workflow.name}}", "{{pod.name}}", "{{workflow.creationTimestamp}}"] as const;
const argoStandIn = (index: number) => `@@PARITY_ARGO_${index}@@`;
