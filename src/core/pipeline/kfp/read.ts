import { ParityError } from "../../errors";
import { quantityToBytes, quantityToNanoCpus } from "../../profile/quantity";
import { parseYamlDocument } from "../../yaml/document";
import type { FieldPath } from "../../yaml/locator";
import type {
  Pipeline,
  PipelineLocation,
  PipelineParameter,
  PipelineStep,
  StepInput,
  StepLimits,
} from "../types";
import { errorLocation, throwProblems, validatePipeline } from "../validate";
import type {
  KfpArtifactSource,
  KfpArtifactType,
  KfpParameterDefinition,
  KfpParameterType,
  KfpTask,
  KfpValueSource,
} from "./types";

type Json = Record<string, unknown>;

/** Whether a parsed YAML document is a compiled KFP pipeline rather than Parity's pipeline.yaml. */
export function isKfpPipelineSpec(value: unknown): boolean {
  return (
    isRecord(value) && isRecord(value.pipelineInfo) && isRecord(value.deploymentSpec) && isRecord(value.root)
  );
}

/**
 * Reads a pipeline compiled by kfp (its v2 PipelineSpec YAML) as Parity's pipeline model: one step
 * per task of the root DAG, running its executor's container with the inputs its task wires
 * (constants, the pipeline's parameters, other tasks' output parameters and artifacts), with the
 * limits its task sets (`resourceMemoryLimit`, `resourceCpuLimit`, the accelerator count), its
 * retries and caching option. What Parity cannot run faithfully yet (nested pipelines,
 * conditions, loops, exit handlers, importers) is refused with the task and its line, never
 * skipped. Documents after the first (the platform spec) are not read.
 */
export function readKfpPipeline(text: string, file: string): Pipeline {
  const { value, locator } = parseYamlDocument(text, file, "pipeline", { firstOfMany: true });
  const problems: ParityError[] = [];
  const at = (path: FieldPath): PipelineLocation => ({
    file,
    line: locator.lineOf(path),
    field: path.join("."),
  });
  const refuse = (message: string, path: FieldPath, fix: string) =>
    problems.push(new ParityError("PipelineInvalid", message, { fix, location: errorLocation(at(path)) }));
  if (!isKfpPipelineSpec(value)) {
    throw new ParityError("PipelineInvalid", `${file} is not a pipeline compiled by kfp.`, {
      fix: "Compile the pipeline with kfp's compiler (kfp.compiler.Compiler().compile(pipeline, 'pipeline.yaml')), or write Parity's pipeline.yaml.",
      location: { file, line: 1 },
    });
  }
  const spec = value as Json;
  const version = String(spec.schemaVersion ?? "");
  if (!/^2\./.test(version)) {
    refuse(
      `The pipeline's schemaVersion is ${version || "missing"}; Parity reads KFP v2 pipelines (schemaVersion 2.x).`,
      ["schemaVersion"],
      "Compile it with kfp 2 (pip install 'kfp>=2').",
    );
  }
  const root = record(spec.root);
  const components = record(spec.components);
  const executors = record(record(spec.deploymentSpec).executors);
  if (Object.keys(record(record(root.inputDefinitions).artifacts)).length > 0) {
    refuse(
      "The pipeline takes input artifacts, which Parity cannot give it locally yet.",
      ["root", "inputDefinitions", "artifacts"],
      "Make the artifact inside the pipeline (a component that writes it), or pass its location as a parameter.",
    );
  }
  const parameterDefinitions = definitionsOf(record(root.inputDefinitions).parameters);
  const parameters: PipelineParameter[] = Object.entries(parameterDefinitions).map(([name, definition]) => ({
    name,
    kfpType: definition.parameterType,
    ...(definition.defaultValue !== undefined && {
      defaultSource: JSON.stringify(definition.defaultValue),
      // A plain value as it is (what Argo and KFP pass), so a boolean or a string is never read as Python.
      ...(["string", "number", "boolean"].includes(typeof definition.defaultValue) && {
        defaultValue: definition.defaultValue as string | number | boolean,
      }),
    }),
    location: at(["root", "inputDefinitions", "parameters", name]),
  }));
  const tasks = record(record(root.dag).tasks);
  const steps: PipelineStep[] = [];
  for (const [name, written] of Object.entries(tasks)) {
    const step = readTask(name, record(written), { components, executors, parameterDefinitions, at, refuse });
    if (step) steps.push(step);
  }
  throwProblems(problems, file, (count) => `The pipeline ${file} has ${count} parts Parity cannot run.`);
  const name = String(record(spec.pipelineInfo).name ?? "pipeline");
  return validatePipeline({ name, format: "kfp", file, parameters, steps });
}

interface TaskContext {
  components: Json;
  executors: Json;
  parameterDefinitions: Record<string, KfpParameterDefinition>;
  at(path: FieldPath): PipelineLocation;
  refuse(message: string, path: FieldPath, fix: string): void;
}

function readTask(name: string, task: Json, context: TaskContext): PipelineStep | undefined {
  const { at, refuse } = context;
  const here: FieldPath = ["root", "dag", "tasks", name];
  const unsupported = (what: string, field: string, fix: string) =>
    refuse(`The task ${name} ${what}, which Parity cannot run locally yet.`, [...here, field], fix);
  if (record(task.triggerPolicy).condition !== undefined) {
    unsupported(
      "runs under a condition (dsl.If)",
      "triggerPolicy",
      "Run the pipeline without the condition, or split it into pipelines.",
    );
    return undefined;
  }
  if (record(task.triggerPolicy).strategy === "ALL_UPSTREAM_TASKS_COMPLETED") {
    unsupported("is an exit handler's task", "triggerPolicy", "Run the pipeline without dsl.ExitHandler.");
    return undefined;
  }
  if (task.parameterIterator !== undefined || task.artifactIterator !== undefined) {
    unsupported(
      "loops over items (dsl.ParallelFor)",
      task.parameterIterator ? "parameterIterator" : "artifactIterator",
      "Unroll the loop into tasks of their own.",
    );
    return undefined;
  }
  const componentName = String(record(task.componentRef).name ?? "");
  const component = record(context.components[componentName]);
  if (!context.components[componentName]) {
    refuse(
      `The task ${name} runs the component ${componentName || "(none)"}, which the pipeline does not define.`,
      [...here, "componentRef"],
      "Compile the pipeline again with kfp; the file may have been edited by hand.",
    );
    return undefined;
  }
  if (component.dag !== undefined) {
    unsupported(
      "is a pipeline inside the pipeline",
      "componentRef",
      "Call the inner pipeline's components from the outer pipeline directly.",
    );
    return undefined;
  }
  const executorName = String(component.executorLabel ?? "");
  const executor = record(context.executors[executorName]);
  const container = executor.container === undefined ? undefined : record(executor.container);
  if (!container) {
    const kind = Object.keys(executor)[0] ?? "none";
    unsupported(
      `runs a ${kind} executor (${executorName})`,
      "componentRef",
      "Parity runs container and lightweight Python components; import the artifact in a component instead (dsl.importer is not run locally).",
    );
    return undefined;
  }
  if (typeof container.image !== "string" || container.image === "") {
    refuse(
      `The task ${name}'s executor ${executorName} names no image.`,
      ["deploymentSpec", "executors", executorName, "container", "image"],
      "Compile the pipeline again with a base_image or an image for the component.",
    );
    return undefined;
  }
  const inputs = record(task.inputs);
  const parameters: Record<string, KfpValueSource> = {};
  for (const [input, source] of Object.entries(record(inputs.parameters))) {
    const read = parameterSource(record(source));
    if (
      read === "unsupported" ||
      ("pipelineParameter" in read && !(read.pipelineParameter in context.parameterDefinitions))
    ) {
      refuse(
        read === "unsupported"
          ? `The task ${name}'s input ${input} comes from something Parity cannot give it locally yet (${Object.keys(record(source)).join(", ")}).`
          : `The task ${name}'s input ${input} is the pipeline's parameter ${read.pipelineParameter}, which the pipeline does not declare.`,
        [...here, "inputs", "parameters", input],
        "Pass a constant, a pipeline parameter or another task's output.",
      );
      continue;
    }
    parameters[input] = read;
  }
  const artifacts: Record<string, KfpArtifactSource> = {};
  for (const [input, source] of Object.entries(record(inputs.artifacts))) {
    const produced = record(record(source).taskOutputArtifact);
    if (typeof produced.producerTask !== "string" || typeof produced.outputArtifactKey !== "string") {
      refuse(
        `The task ${name}'s input artifact ${input} does not come from another task's output.`,
        [...here, "inputs", "artifacts", input],
        "Pass another task's output artifact (task.outputs['name']).",
      );
      continue;
    }
    artifacts[input] = { task: produced.producerTask, output: produced.outputArtifactKey };
  }
  const inputDefinitions = record(component.inputDefinitions);
  const outputDefinitions = record(component.outputDefinitions);
  const kfpTask: KfpTask = {
    name,
    component: componentName,
    executor: executorName,
    image: container.image,
    command: strings(container.command),
    args: strings(container.args),
    env: Object.fromEntries(
      (Array.isArray(container.env) ? container.env : []).map((entry) => [
        String(record(entry).name),
        String(record(entry).value ?? ""),
      ]),
    ),
    parameters,
    artifacts,
    parameterDefinitions: definitionsOf(inputDefinitions.parameters),
    artifactDefinitions: artifactTypesOf(inputDefinitions.artifacts),
    outputParameters: definitionsOf(outputDefinitions.parameters),
    outputArtifacts: artifactTypesOf(outputDefinitions.artifacts),
  };
  const pipInstalls = pipInstallsOf(kfpTask.command);
  if (pipInstalls) kfpTask.pipInstalls = pipInstalls;
  const stepInputs: StepInput[] = [
    ...Object.entries(parameters).flatMap(([input, source]) =>
      "task" in source ? [{ name: input, from: source.task, output: source.output }] : [],
    ),
    ...Object.entries(artifacts).map(([input, source]) => ({
      name: input,
      from: source.task,
      output: source.output,
    })),
  ];
  const dependent = strings(task.dependentTasks);
  const limits = limitsOf(record(container.resources), (message, field, fix) =>
    refuse(message, ["deploymentSpec", "executors", executorName, "container", "resources", field], fix),
  );
  const retry = record(task.retryPolicy).maxRetryCount;
  return {
    name,
    after: [...new Set([...dependent, ...stepInputs.map((input) => input.from)])],
    inputs: stepInputs,
    outputs: [...Object.keys(kfpTask.outputParameters), ...Object.keys(kfpTask.outputArtifacts)],
    limits,
    retries: typeof retry === "number" && retry > 0 ? Math.floor(retry) : 0,
    // KFP's caching option: an empty cachingOptions is enableCache false.
    cache: record(task.cachingOptions).enableCache === true,
    code: { kind: "kfp", task: kfpTask },
    location: at(here),
  };
}

function parameterSource(source: Json): KfpValueSource | "unsupported" {
  const runtime = record(source.runtimeValue);
  if ("constant" in runtime) return { constant: runtime.constant };
  if (typeof source.componentInputParameter === "string")
    return { pipelineParameter: source.componentInputParameter };
  const produced = record(source.taskOutputParameter);
  if (typeof produced.producerTask === "string" && typeof produced.outputParameterKey === "string") {
    return { task: produced.producerTask, output: produced.outputParameterKey };
  }
  return "unsupported";
}

/**
 * The task's limits: KFP's resource strings (`resourceMemoryLimit: 256M`, `resourceCpuLimit: 500m`),
 * else the older numbers (`memoryLimit` in GB, `cpuLimit` in CPUs), and the accelerator's count.
 */
function limitsOf(
  resources: Json,
  refuse: (message: string, field: string, fix: string) => void,
): StepLimits {
  const limits: StepLimits = {};
  const quantity = (field: string, parse: (text: string | number) => number): number | undefined => {
    const written = resources[field];
    if (written === undefined || written === "") return undefined;
    try {
      return parse(written as string | number);
    } catch {
      refuse(
        `${field} "${String(written)}" is not a quantity Parity can read.`,
        field,
        "Set the limit with set_memory_limit('4G') or set_cpu_limit('2').",
      );
      return undefined;
    }
  };
  const memory =
    quantity("resourceMemoryLimit", quantityToBytes) ??
    (typeof resources.memoryLimit === "number" ? Math.round(resources.memoryLimit * 1e9) : undefined);
  const cpu =
    quantity("resourceCpuLimit", quantityToNanoCpus) ??
    (typeof resources.cpuLimit === "number" ? Math.round(resources.cpuLimit * 1e9) : undefined);
  if (memory !== undefined) limits.memoryBytes = memory;
  if (cpu !== undefined) limits.nanoCpus = cpu;
  const accelerator = record(resources.accelerator);
  const count = Number(accelerator.resourceCount ?? accelerator.count ?? 0);
  if (count > 0) limits.gpu = count;
  return limits;
}

/**
 * A lightweight component's command is `sh -c "<install kfp and the packages> && \"$0\" \"$@\""`
 * followed by kfp's executor: the arguments of each `python3 -m pip install` it runs, in order.
 */
export function pipInstallsOf(command: string[]): string[][] | undefined {
  if (!command.some((part) => part.includes("kfp.dsl.executor_main"))) return undefined;
  const script = command.find((part) => /pip install/.test(part));
  if (!script) return [];
  const installs: string[][] = [];
  // Each `python3 -m pip install ...` up to the `&&` after it; its words as sh splits them
  // (quoted or not: kfp writes --index-url and --trusted-host values bare).
  for (const match of script.matchAll(/python3 -m pip install\s+((?:'[^']*'|"[^"]*"|[^&'"])*)/g)) {
    const words = [...(match[1] ?? "").matchAll(/'([^']*)'|"([^"]*)"|([^\s'"]+)/g)].map(
      (word) => word[1] ?? word[2] ?? word[3] ?? "",
    );
    // pip's own chatter is for the pod's log; what is installed is the rest.
    installs.push(words.filter((word) => !["--quiet", "--no-warn-script-location"].includes(word)));
  }
  return installs;
}

function definitionsOf(value: unknown): Record<string, KfpParameterDefinition> {
  return Object.fromEntries(
    Object.entries(record(value)).map(([name, written]) => {
      const definition = record(written);
      return [
        name,
        {
          parameterType: String(definition.parameterType ?? "STRING") as KfpParameterType,
          ...(definition.defaultValue !== undefined && { defaultValue: definition.defaultValue }),
          ...(definition.isOptional === true && { isOptional: true }),
        },
      ];
    }),
  );
}

function artifactTypesOf(value: unknown): Record<string, KfpArtifactType> {
  return Object.fromEntries(
    Object.entries(record(value)).map(([name, written]) => {
      const type = record(record(written).artifactType);
      return [
        name,
        {
          schemaTitle: String(type.schemaTitle ?? "system.Artifact"),
          ...(typeof type.schemaVersion === "string" && { schemaVersion: type.schemaVersion }),
        },
      ];
    }),
  );
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => String(item)) : [];
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown): Json {
  return isRecord(value) ? value : {};
}
