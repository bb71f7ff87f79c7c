import path from "node:path";
import { ParityError } from "../errors";
import { quantityToBytes, quantityToNanoCpus, suggestQuantityFix } from "../profile/quantity";
import { readCells } from "../notebook/readCells";
import type { SourceCell } from "../notebook/types";
import type { Pipeline, PipelineStep, StepLimits } from "./types";
import { errorLocation, throwProblems, validatePipeline } from "./validate";

/**
 * The tags Kale reads from a notebook's cells, read the same way so a notebook tagged for Kale
 * runs unchanged: `imports`, `functions` and `pipeline-parameters` cells run first in every step;
 * `step:<name>` (or the older `block:<name>`) starts or continues a step; an untagged code cell
 * continues the step of the cell above it; `prev:<name>` says what a step runs after; `skip`
 * leaves a cell out; `pipeline-metrics` is the last step, which reports the named values;
 * `limit:<resource>:<value>` sets a step's limit. Papermill's `parameters` counts as
 * `pipeline-parameters`.
 */
export const SHARED_TAGS = ["imports", "functions", "pipeline-parameters", "parameters"] as const;
const METRICS_TAG = "pipeline-metrics";
/** The step Kale makes of the metrics cell. */
export const METRICS_STEP = "pipeline-metrics";

/** Whether a notebook's cells say it is a pipeline (at least one step tag). */
export function isTaggedPipeline(cells: readonly SourceCell[]): boolean {
  return cells.some((cell) => cell.kind === "code" && cell.tags.some((tag) => stepTag(tag) !== undefined));
}

/** The cells of a tagged notebook, grouped: those every step runs first, and each step's own. */
export interface KaleCells {
  shared: SourceCell[];
  /** The cell whose assignments are the pipeline's parameters, if any. */
  parametersCell?: SourceCell;
  steps: Map<string, SourceCell[]>;
}

/**
 * A notebook tagged as Kale tags it, as a pipeline: its steps, their order (`prev:`) and limits.
 * Which variables pass between steps is not known yet: `passVariables` adds that from an analysis
 * of each step's code by Python's own parser.
 */
export function readKalePipeline(text: string, file: string): { pipeline: Pipeline; cells: KaleCells } {
  const cells = readCells(text, file);
  const grouped: KaleCells = { shared: [], steps: new Map() };
  const steps: PipelineStep[] = [];
  const problems: ParityError[] = [];
  let current: PipelineStep | undefined;
  for (const cell of cells) {
    if (cell.kind !== "code" || cell.tags.includes("skip")) continue;
    if (cell.tags.some((tag) => (SHARED_TAGS as readonly string[]).includes(tag))) {
      grouped.shared.push(cell);
      if (
        !grouped.parametersCell &&
        cell.tags.some((tag) => tag === "pipeline-parameters" || tag === "parameters")
      )
        grouped.parametersCell = cell;
      continue;
    }
    const named = cell.tags.includes(METRICS_TAG) ? METRICS_STEP : cell.tags.map(stepTag).find(Boolean);
    if (named) {
      current = steps.find((step) => step.name === named);
      if (!current) {
        current = newStep(named, file, cell);
        steps.push(current);
      }
    } else if (!current) {
      if (cell.lines.every((line) => line.trim() === "" || line.trim().startsWith("#"))) continue;
      problems.push(
        new ParityError(
          "PipelineInvalid",
          "This code cell comes before any step and has no tag that says where it runs.",
          {
            fix: "Tag it step:<name> to start a step, imports or functions to run it in every step, or skip to leave it out.",
            location: errorLocation({ file, cell: cell.index }),
          },
        ),
      );
      continue;
    }
    grouped.steps.set(current.name, [...(grouped.steps.get(current.name) ?? []), cell]);
    if (current.code.kind === "cells") current.code.cells.push(cell.index);
    for (const tag of cell.tags) {
      const previous = /^prev:(.+)$/.exec(tag)?.[1];
      if (previous && !current.after.includes(previous)) current.after.push(previous);
      const limit = /^limit:(.+):([^:]+)$/.exec(tag);
      if (limit?.[1] && limit[2]) {
        const problem = applyLimit(current.limits, limit[1], limit[2]);
        if (problem)
          problems.push(
            new ParityError("PipelineInvalid", problem.message, {
              fix: problem.fix,
              location: errorLocation({ file, cell: cell.index, field: tag }),
            }),
          );
      }
    }
  }
  // Kale's metrics step reports what the pipeline ends with: it comes after every step no other needs.
  const metrics = steps.find((step) => step.name === METRICS_STEP);
  if (metrics && metrics.after.length === 0) {
    metrics.after = steps
      .filter(
        (step) =>
          step !== metrics && !steps.some((other) => other !== metrics && other.after.includes(step.name)),
      )
      .map((step) => step.name);
  }
  throwProblems(problems, file, (count) => `The notebook ${file} has ${count} problems as a pipeline.`);
  const pipeline: Pipeline = {
    name: path.basename(file).replace(/\.(ipynb|py)$/i, ""),
    format: "kale",
    file,
    parameters: [],
    steps,
  };
  return { pipeline: validatePipeline(pipeline), cells: grouped };
}

function stepTag(tag: string): string | undefined {
  return /^(?:step|block):(.+)$/.exec(tag)?.[1];
}

function newStep(name: string, file: string, cell: SourceCell): PipelineStep {
  return {
    name,
    after: [],
    inputs: [],
    outputs: [],
    limits: {},
    retries: 0,
    cache: true,
    code: { kind: "cells", notebookFile: file, cells: [] },
    location: { file, cell: cell.index, field: name === METRICS_STEP ? METRICS_TAG : `step:${name}` },
  };
}

/** Kale's `limit:<resource>:<value>`: memory, cpu and GPUs (nvidia.com/gpu, amd.com/gpu or gpu). */
function applyLimit(
  limits: StepLimits,
  resource: string,
  value: string,
): { message: string; fix: string } | undefined {
  try {
    if (resource === "memory") limits.memoryBytes = quantityToBytes(value);
    else if (resource === "cpu") limits.nanoCpus = quantityToNanoCpus(value);
    else if (/(^|\/)gpu$/.test(resource)) {
      if (!/^\d+$/.test(value))
        return {
          message: `A GPU count is a whole number, not "${value}".`,
          fix: `Write limit:${resource}:1.`,
        };
      limits.gpu = Number(value);
    } else {
      return {
        message: `Parity cannot apply a limit on ${resource}.`,
        fix: "Use limit:memory:<quantity>, limit:cpu:<quantity> or limit:nvidia.com/gpu:<count>.",
      };
    }
  } catch {
    const kind = resource === "memory" ? "memory" : "cpu";
    return {
      message: `"${value}" is not a valid ${resource} quantity.`,
      fix: suggestQuantityFix(value, kind),
    };
  }
  return undefined;
}
