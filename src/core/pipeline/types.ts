/** Where a pipeline was said: a notebook tagged as Kale tags it, Parity's pipeline.yaml, or a compiled KFP pipeline. */
export type PipelineFormat = "kale" | "pipeline-yaml" | "kfp";

/** Where something of a pipeline was written, for messages: a file, and its cell or line and field. */
export interface PipelineLocation {
  file: string;
  /** 1-based cell index (a tagged notebook). */
  cell?: number;
  /** 1-based line (in the cell for a notebook, in the file otherwise). */
  line?: number;
  /** The field, as a dotted path ("steps[1].after"), or the tag ("prev:train"). */
  field?: string;
}

/** A step's limits that differ from the profile's: a `limit:` tag, a step's resources. */
export interface StepLimits {
  memoryBytes?: number;
  nanoCpus?: number;
  gpu?: number;
}

/** A value one step hands another: a Python variable (pickled), or an artifact file. */
export interface StepInput {
  /** The name the consuming step knows it by. */
  name: string;
  /** The step that produces it. */
  from: string;
  /** The name the producer gives it (the same as `name` for a variable passed between notebook steps). */
  output: string;
}

/** What a step runs. A new kind of step code adds a member here and its script generator. */
export type StepCode =
  /** Cells of a tagged notebook: the shared cells (imports, functions, parameters) run first, then these. */
  | { kind: "cells"; notebookFile: string; cells: number[] }
  /** A whole notebook or percent-format script of the project, as a job runs it. */
  | { kind: "notebook"; notebookFile: string }
  /** A command in an image (a KFP container component). */
  | { kind: "container"; image: string; command: string[]; args: string[] }
  /** A task of a compiled KFP pipeline: its executor's container, inputs and outputs (kfp/types.ts). */
  | { kind: "kfp"; task: import("./kfp/types").KfpTask };

export interface PipelineStep {
  /** Unique in the pipeline; a DNS-1123 label, so a Workflow's template can carry it. */
  name: string;
  /** The steps that must succeed before this one starts (explicit edges and those of its inputs). */
  after: string[];
  inputs: StepInput[];
  /** The names this step hands on (variables or artifact files). */
  outputs: string[];
  /** Overrides of the profile's limits for this step only. */
  limits: StepLimits;
  /** How many times a failed step is tried again (0: once only). */
  retries: number;
  /** Whether a succeeded run of it with the same inputs may be reused (the step cache). */
  cache: boolean;
  code: StepCode;
  location: PipelineLocation;
}

export interface PipelineParameter {
  name: string;
  /** The default value's Python source ("0.01", "'adam'"), where it has one (JSON for a KFP pipeline). */
  defaultSource?: string;
  /** The default as a value (JSON), where it has one: what a step receives unless `-p` changes it. */
  defaultValue?: string | number | boolean | null;
  /** A KFP pipeline's parameter type, which `-p name=value` is read as. */
  kfpType?: import("./kfp/types").KfpParameterType;
  location: PipelineLocation;
}

/** One validated model of a pipeline, whatever format it was written in. */
export interface Pipeline {
  name: string;
  format: PipelineFormat;
  /** The file it was read from (absolute). */
  file: string;
  parameters: PipelineParameter[];
  /** In the order they were written. */
  steps: PipelineStep[];
}

/**
 * Where one step of a pipeline run stands. `cached`: a succeeded run of the same step with the
 * same image, command, parameters and inputs was reused. `not-run`: a step it needs failed or the
 * pipeline was cancelled first (`reason` says which).
 */
export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "cancelled" | "cached" | "not-run";

export interface PipelineStepState {
  name: string;
  status: StepStatus;
  /**
   * The steps it ran after, as the run saw them. Optional: where a record lacks it, the run graph
   * takes the edges from the pipeline's file as it is now.
   */
  after?: string[];
  /** The step's own run (its record, logs and diagnosis); for a cached step, the run it reused. */
  runId?: string;
  /** Why it did not run, or how it ended: "OOMKilled at the 128 MiB limit", "load failed". */
  reason?: string;
  exitCode?: number | null;
  oomKilled?: boolean;
  /** Tries so far, when the step was tried again. */
  attempts?: number;
  startedAt?: string;
  finishedAt?: string;
}
