import type { Diagnosis } from "../../../core/diagnosis/types";
import { isCancelled } from "../../../core/errors";
import { checkCudaStack } from "../../../core/parity/checkCuda";
import type { GpuDriverFacts } from "../../../core/parity/types";
import { inspectImage } from "../../../targets/docker/images";
import { relativeTo, type SessionContext } from "../../context";
import type { LoadedJob } from "../../job/load";
import { probeBuiltImage } from "../../job/probes";
import { connect } from "../../job/session";

/**
 * The image's CUDA stack against the GPU the profile names and the NVIDIA driver the nodes' labels
 * say (`driver`), for `parity check --target cluster`: the parity report's CUDA items
 * (core/parity/checkCuda) with the driver filled in. Only an image already built for this code is
 * probed (once per image id: the probe cache); otherwise one note says what was not checked.
 */
export async function imageCudaProblems(
  context: SessionContext,
  job: LoadedJob,
  driver: GpuDriverFacts | undefined,
): Promise<Diagnosis[]> {
  const { limits } = job.profile;
  if (limits.gpu === 0 || (!driver && !limits.productionGpu)) return [];
  const tag = job.plan.tag;
  let image;
  try {
    const docker = await connect(context, () => undefined);
    const id = (await inspectImage(docker.docker, tag))?.Id;
    if (!id) return [notChecked(`the image ${tag} is not built yet (parity build builds it)`, driver)];
    image = await probeBuiltImage(context, docker, job, tag, id);
  } catch (error) {
    if (isCancelled(error)) throw error;
    return [notChecked(`the image could not be probed: ${(error as Error).message}`, driver)];
  }
  const items = checkCudaStack(
    {
      python: job.profile.profile.image.python ?? image.python.version,
      memoryBytes: limits.memoryBytes,
      shmBytes: limits.shmBytes,
      gpu: limits.gpu,
      ...(limits.productionGpu && { productionGpu: limits.productionGpu }),
      ...(driver && { gpuDriver: driver }),
      source: job.profile.file ? relativeTo(context, job.profile.file) : "the embedded default profile",
    },
    image,
  );
  return items.map(({ code, severity, message, fix }) => ({ code, severity, message, fix }));
}

function notChecked(why: string, driver: GpuDriverFacts | undefined): Diagnosis {
  const against = driver
    ? `production's GPU and the nodes' NVIDIA driver ${driver.version}`
    : "production's GPU";
  return {
    code: "ImageCudaNotChecked",
    severity: "info",
    message: `The image's CUDA build was not checked against ${against}: ${why}.`,
    fix: "Build the image (parity build), then run parity check --target cluster again.",
  };
}
