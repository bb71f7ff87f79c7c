/**
 * A task of a compiled KFP v2 pipeline (the PipelineSpec YAML kfp's compiler writes), as Parity
 * runs it: the executor's container as written, with the inputs wired as the task's `inputs` say
 * and the outputs its component declares. Placeholders (`{{$}}`, `{{$.inputs.parameters['x']}}`...)
 * stay in `command` and `args` until the task runs (executor.ts resolves them).
 */
export interface KfpTask {
  /** The task's name in the pipeline's DAG (`root.dag.tasks`). */
  name: string;
  /** The component it runs (`comp-...`), and its executor (`exec-...`). */
  component: string;
  executor: string;
  image: string;
  command: string[];
  args: string[];
  env: Record<string, string>;
  /** Each input parameter the task is given, and where its value comes from. */
  parameters: Record<string, KfpValueSource>;
  /** Each input artifact, from the task that produces it. */
  artifacts: Record<string, KfpArtifactSource>;
  /** The component's declared input parameters (types, defaults, optional). */
  parameterDefinitions: Record<string, KfpParameterDefinition>;
  artifactDefinitions: Record<string, KfpArtifactType>;
  outputParameters: Record<string, KfpParameterDefinition>;
  outputArtifacts: Record<string, KfpArtifactType>;
  /**
   * A lightweight Python component: the arguments of each `pip install` its command runs when it
   * starts (`packages_to_install`, then kfp itself), which Parity runs once, into its image, instead.
   */
  pipInstalls?: string[][];
}

/** KFP's parameter types (ParameterType.ParameterTypeEnum). */
export type KfpParameterType =
  "STRING" | "NUMBER_INTEGER" | "NUMBER_DOUBLE" | "BOOLEAN" | "LIST" | "STRUCT" | "TASK_FINAL_STATUS";

export interface KfpParameterDefinition {
  parameterType: KfpParameterType;
  defaultValue?: unknown;
  isOptional?: boolean;
}

export interface KfpArtifactType {
  schemaTitle: string;
  schemaVersion?: string;
}

export type KfpValueSource =
  { constant: unknown } | { pipelineParameter: string } | { task: string; output: string };

export interface KfpArtifactSource {
  task: string;
  output: string;
}

/** A runtime artifact as KFP's ExecutorInput carries it (RuntimeArtifact in JSON). */
export interface KfpRuntimeArtifact {
  name: string;
  type: KfpArtifactType;
  uri: string;
  metadata: Record<string, unknown>;
}
