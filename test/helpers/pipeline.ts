import type { PipelineLocation, PipelineStep } from "../../src/core/pipeline/types";

/** A step of a tagged notebook's pipeline with nothing set but its name and what `over` says. */
export function pipelineStep(
  name: string,
  location: PipelineLocation,
  over: Partial<PipelineStep> = {},
): PipelineStep {
  return {
    name,
    after: [],
    inputs: [],
    outputs: [],
    limits: {},
    retries: 0,
    cache: true,
    code: { kind: "cells", notebookFile: location.file, cells: [1] },
    location,
    ...over,
  };
}
