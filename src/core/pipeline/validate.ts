import { ParityError, type ErrorLocation } from "../errors";
import { findCycle } from "./graph";
import type { Pipeline, PipelineLocation } from "./types";

/** What a step may be called: it names a Workflow template and a record, so letters, digits, '-' and '_'. */
const STEP_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?$/;

/**
 * Every problem of a pipeline's shape, each with where it was written: names used twice or not
 * allowed, a step after or taking from one that does not exist, an input its producer does not
 * hand on, a cycle. Throws one ParityError listing them all; returns the pipeline when it is sound.
 */
export function validatePipeline(pipeline: Pipeline): Pipeline {
  const problems: ParityError[] = [];
  const problem = (message: string, location: PipelineLocation, fix: string) =>
    problems.push(new ParityError("PipelineInvalid", message, { fix, location: errorLocation(location) }));
  const names = pipeline.steps.map((step) => step.name);
  if (pipeline.steps.length === 0) {
    problem(
      "The pipeline has no steps.",
      { file: pipeline.file },
      pipeline.format === "kale"
        ? "Tag the cells of each step step:<name> (as Kale does), or run the notebook as one job with parity run."
        : "Add at least one step.",
    );
  }
  const seen = new Set<string>();
  for (const step of pipeline.steps) {
    if (!STEP_NAME.test(step.name)) {
      problem(
        `The step name "${step.name}" is not allowed.`,
        step.location,
        "Use letters, digits, '-' and '_' (at most 63, starting and ending with a letter or digit).",
      );
    }
    if (seen.has(step.name)) {
      problem(`Two steps are named ${step.name}.`, step.location, "Give each step a name of its own.");
    }
    seen.add(step.name);
    for (const needed of step.after) {
      if (needed === step.name) {
        problem(
          `The step ${step.name} runs after itself.`,
          step.location,
          `Remove ${needed} from its own steps before.`,
        );
      } else if (!names.includes(needed)) {
        problem(
          `The step ${step.name} runs after ${needed}, which is not a step of the pipeline.`,
          step.location,
          `Name one of: ${names.filter((name) => name !== step.name).join(", ") || "(no other step)"}.`,
        );
      }
    }
    for (const input of step.inputs) {
      const producer = pipeline.steps.find((candidate) => candidate.name === input.from);
      if (!producer) {
        problem(
          `The step ${step.name} takes ${input.name} from ${input.from}, which is not a step of the pipeline.`,
          step.location,
          `Name the step that produces ${input.name}.`,
        );
      } else if (!producer.outputs.includes(input.output)) {
        problem(
          `The step ${step.name} takes ${input.output} from ${input.from}, which produces no such output.`,
          step.location,
          producer.outputs.length > 0
            ? `${input.from} produces: ${producer.outputs.join(", ")}.`
            : `Declare ${input.output} as an output of ${input.from}.`,
        );
      }
    }
  }
  const cycle = findCycle(pipeline.steps);
  if (cycle) {
    const first = pipeline.steps.find((step) => step.name === cycle[0]);
    problem(
      `The steps form a cycle: ${cycle.join(" → ")}.`,
      first?.location ?? { file: pipeline.file },
      "A step cannot come, directly or through others, after itself: remove one of these edges.",
    );
  }
  throwProblems(problems, pipeline.file, (count) => `The pipeline ${pipeline.file} has ${count} problems.`);
  return pipeline;
}

/**
 * Nothing when there are no problems; the one problem itself, with its own location and fix; or
 * one error listing them all under `summary` (given their count).
 */
export function throwProblems(
  problems: ParityError[],
  file: string,
  summary: (count: number) => string,
): void {
  const [only, ...more] = problems;
  if (!only) return;
  if (more.length === 0) throw only;
  throw new ParityError("PipelineInvalid", summary(problems.length), {
    details: problems,
    location: { file },
  });
}

/**
 * A pipeline's location as an error's. In a notebook the line is the cell's, so it goes with the
 * cell ("cell 3, line 2, prev:train") rather than after the file name, where it would read as the
 * file's line.
 */
export function errorLocation(location: PipelineLocation): ErrorLocation {
  const inCell = location.cell !== undefined;
  const field = [
    inCell ? `cell ${location.cell}` : undefined,
    inCell && location.line !== undefined ? `line ${location.line}` : undefined,
    location.field,
  ]
    .filter((part) => part !== undefined)
    .join(", ");
  return {
    file: location.file,
    ...(!inCell && location.line !== undefined && { line: location.line }),
    ...(field && { field }),
  };
}
