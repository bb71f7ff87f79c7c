import { ParityError } from "../errors";
import { ancestorsOf, topologicalOrder } from "./graph";
import type { Pipeline } from "./types";
import { errorLocation, throwProblems, validatePipeline } from "./validate";

/** What Python's parser says of one piece of code: the names it binds, and those it reads before binding them. */
export interface CodeNames {
  assigned: string[];
  free: string[];
}

/**
 * Kale's variable passing: a step that reads a name it does not bind itself receives it from the
 * nearest step before it that binds it (pickled into that step's outputs). Names the shared cells
 * bind (imports, functions, parameters) are everyone's and never passed. A name only a step that
 * does not come before it binds is a missing `prev:`, said with the cell.
 */
export function passVariables(
  pipeline: Pipeline,
  names: ReadonlyMap<string, CodeNames>,
  shared: CodeNames,
): Pipeline {
  const order = topologicalOrder(pipeline.steps) ?? pipeline.steps;
  const everyone = new Set(shared.assigned);
  const problems: ParityError[] = [];
  const steps = pipeline.steps.map((step) => ({
    ...step,
    inputs: [...step.inputs],
    outputs: [...step.outputs],
  }));
  const byName = new Map(steps.map((step) => [step.name, step]));
  for (const step of order.map((ordered) => byName.get(ordered.name)!)) {
    const before = ancestorsOf(pipeline, step.name);
    for (const name of names.get(step.name)?.free ?? []) {
      if (everyone.has(name)) continue;
      const producers = order.filter((other) => names.get(other.name)?.assigned.includes(name));
      const producer = producers.filter((other) => before.has(other.name)).at(-1);
      if (producer) {
        step.inputs.push({ name, from: producer.name, output: name });
        const giving = byName.get(producer.name)!;
        if (!giving.outputs.includes(name)) giving.outputs.push(name);
      } else if (producers.length > 0) {
        const others = producers.map((other) => other.name);
        problems.push(
          new ParityError(
            "PipelineInvalid",
            `The step ${step.name} uses ${name}, which only ${others.join(", ")} define${others.length === 1 ? "s" : ""}, and ${others.length === 1 ? "that step does" : "those steps do"} not run before it.`,
            {
              fix: `Tag the step's first cell prev:${others[0]} so that ${name} reaches it, or define ${name} in the step itself.`,
              location: errorLocation(step.location),
            },
          ),
        );
      }
    }
  }
  throwProblems(problems, pipeline.file, (count) => `The pipeline ${pipeline.file} has ${count} problems.`);
  return validatePipeline({ ...pipeline, steps });
}
