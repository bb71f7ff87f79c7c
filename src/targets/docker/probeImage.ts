import type Dockerode from "dockerode";
import { parseProbeOutput } from "../../core/environment/parseProbeOutput";
import probeSource from "../../core/environment/probe.py";
import type { Environment } from "../../core/environment/types";
import type { JobLimits } from "../../core/job/types";
import { ParityError } from "../../core/errors";
import { runContainer } from "./runContainer";

/** Runs the environment probe inside an image, under the profile's limits like every container. */
export async function probeImage(
  docker: Dockerode,
  image: string,
  limits: JobLimits,
  signal?: AbortSignal,
): Promise<Environment> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const probe = (probeLimits: JobLimits) =>
    runContainer(
      docker,
      {
        image,
        command: ["python3", "-c", probeSource],
        limits: probeLimits,
        labels: { "dev.parity.probe": "true" },
      },
      { onLog: (line) => void (line.stream === "stdout" ? stdout : stderr).push(line.text) },
      signal,
    );
  let noGpuRuntime = false;
  const outcome = await probe(limits).catch((error: unknown) => {
    // Without an NVIDIA runtime here the image is still worth probing: without GPUs, and said so.
    if (!(error instanceof ParityError) || error.code !== "NoGpuRuntime") throw error;
    noGpuRuntime = true;
    return probe({ ...limits, gpu: 0 });
  });
  if (outcome.exitCode !== 0) {
    throw new ParityError(
      "ProbeFailed",
      `The environment probe failed inside ${image} (exit ${outcome.exitCode}${outcome.oomKilled ? ", out of memory" : ""}): ${stderr.slice(-3).join(" ") || outcome.error || "no output"}`,
      { fix: "Check that the image has python3 on its PATH; Parity needs Python in production's image." },
    );
  }
  const environment = parseProbeOutput(stdout.join("\n"), `image ${image}`);
  if (noGpuRuntime) {
    environment.problems.push(
      `probed without GPUs: this Docker engine has no NVIDIA runtime for the profile's ${limits.gpu}`,
    );
  }
  return environment;
}
