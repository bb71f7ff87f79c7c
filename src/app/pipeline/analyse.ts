import { JOB_DIR } from "../../core/build/dockerfile";
import { ParityError } from "../../core/errors";
import type { JobLimits } from "../../core/job/types";
import namesSource from "../../core/pipeline/names.py";
import type { Pipeline } from "../../core/pipeline/types";
import { passVariables, type CodeNames } from "../../core/pipeline/variables";
import { errorLocation } from "../../core/pipeline/validate";
import type { DockerConnection } from "../../targets/docker/connection";
import { runContainer } from "../../targets/docker/runContainer";
import { SHARED_CODE, stepCodePath } from "./load";

/**
 * Which variables pass between the steps, found by Python's own parser inside the pipeline's
 * image (the Python production runs, so syntax is read as it will run), under the profile's limits.
 */
export async function analysePipeline(
  connection: Pick<DockerConnection, "docker">,
  image: string,
  pipeline: Pipeline,
  limits: JobLimits,
  signal?: AbortSignal,
): Promise<Pipeline> {
  const files = [SHARED_CODE, ...pipeline.steps.map((step) => step.name)].map(
    (name) => `${JOB_DIR}/${stepCodePath(name)}`,
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  const outcome = await runContainer(
    connection.docker,
    {
      image,
      command: ["python3", "-c", namesSource, ...files],
      limits: { ...limits, gpu: 0 },
      labels: { "dev.parity.probe": "true" },
    },
    { onLog: (line) => void (line.stream === "stdout" ? stdout : stderr).push(line.text) },
    signal,
  );
  if (outcome.exitCode !== 0) {
    throw new ParityError(
      "PipelineAnalysisFailed",
      `Python could not read the steps' code inside ${image} (exit ${outcome.exitCode}): ${stderr.slice(-3).join(" ") || outcome.error || "no output"}`,
      { fix: "Check that the image has python3 on its PATH.", location: { file: pipeline.file } },
    );
  }
  const found = JSON.parse(stdout.join("\n")) as Record<string, CodeNames | { error: string }>;
  const namesOf = (name: string): CodeNames => {
    const entry = found[`${JOB_DIR}/${stepCodePath(name)}`];
    if (!entry) return { assigned: [], free: [] };
    if ("error" in entry) {
      const step = pipeline.steps.find((candidate) => candidate.name === name);
      throw new ParityError(
        "PipelineInvalid",
        `Python cannot parse the code of ${step ? `the step ${name}` : "the shared cells"}: ${entry.error}.`,
        {
          fix: "Fix the syntax error in the notebook's cell.",
          location: errorLocation(step?.location ?? { file: pipeline.file }),
        },
      );
    }
    return entry;
  };
  const names = new Map(pipeline.steps.map((step) => [step.name, namesOf(step.name)]));
  return passVariables(pipeline, names, namesOf(SHARED_CODE));
}
