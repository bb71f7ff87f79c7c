import type { Environment } from "../environment/types";
import {
  archSupport,
  compareCapability,
  formatComputeCapability,
  parseBuiltArch,
  smName,
  type ComputeCapability,
} from "../gpu/computeCapability";
import { cudaOfDriver, driverFit } from "../gpu/driver";
import type { ParityItem, ParityProfile } from "./types";

/** A framework of the image built for CUDA: what its kernels are and what they need. */
interface CudaBuild {
  name: "torch" | "tensorflow" | "jax";
  version: string;
  cuda: string;
  /** Empty when the framework does not say (JAX: XLA compiles its kernels for the GPU it runs on). */
  archList: string[];
}

/**
 * The image's CUDA stack against production's GPUs: a framework without code for production's
 * compute capability fails there with "no kernel image is available", one with only PTX for it
 * starts slowly and needs a driver that compiles that PTX, and a framework built with a newer CUDA
 * than the nodes' driver runs cannot start CUDA at all.
 */
export function checkCudaStack(profile: ParityProfile, image: Environment | undefined): ParityItem[] {
  if (profile.gpu === 0 || !image) return [];
  const builds = cudaBuilds(image);
  if (builds.length === 0) return [];
  const gpu = profile.productionGpu;
  const capability = gpu?.computeCapability;
  const items: ParityItem[] = [];
  if (!capability) {
    const frameworks = builds.map((build) => build.name).join(" and ");
    // Named, but not a GPU Parity knows: its architecture is what is missing, not its name.
    items.push({
      severity: "info",
      code: "GpuArchitectureUnchecked",
      subject: "cuda",
      message: gpu?.product
        ? `Parity does not know the compute capability of production's ${gpu.product} (${gpu.productSource ?? "parity.yaml"}), so the image's ${frameworks} could not be checked against its architecture.`
        : `Production's GPU is not named in ${profile.source ?? "parity.yaml"}, so the image's ${frameworks} could not be checked against its architecture.`,
      fix: gpu?.product
        ? `Compare the image's torch.cuda.get_arch_list() with the GPU's compute capability (nvidia-smi --query-gpu=compute_cap), or name a GPU Parity knows, such as NVIDIA-A100-SXM4-40GB, NVIDIA-H100-80GB-HBM3 or NVIDIA-L4.`
        : "Set resources.gpuProduct in parity.yaml (e.g. NVIDIA-A100-SXM4-40GB, as the nodes' nvidia.com/gpu.product label says).",
    });
  }
  for (const build of builds) {
    const support =
      capability && build.archList.length > 0 ? archSupport(build.archList, capability) : undefined;
    if (capability && support === "none") items.push(noKernelFor(build, capability, gpu?.product));
    if (capability && support === "ptx") items.push(onlyPtxFor(build, capability, gpu?.product));
    items.push(...driverItems(build, profile, support));
  }
  return items;
}

function cudaBuilds(image: Environment): CudaBuild[] {
  const { torch, tensorflow, jax } = image.frameworks;
  const builds: CudaBuild[] = [];
  if (torch?.cuda)
    builds.push({ name: "torch", version: torch.version, cuda: torch.cuda, archList: torch.archList ?? [] });
  if (tensorflow?.cudaBuild && tensorflow.cuda) {
    builds.push({
      name: "tensorflow",
      version: tensorflow.version,
      cuda: tensorflow.cuda,
      archList: tensorflow.archList ?? [],
    });
  }
  if (jax?.cuda) builds.push({ name: "jax", version: jax.version, cuda: jax.cuda, archList: [] });
  return builds;
}

function gpuName(product: string | undefined, capability: ComputeCapability): string {
  const cc = `compute capability ${formatComputeCapability(capability)}, ${smName(capability)}`;
  return product ? `production's ${product} (${cc})` : `production's GPU (${cc})`;
}

function noKernelFor(
  build: CudaBuild,
  capability: ComputeCapability,
  product: string | undefined,
): ParityItem {
  const archs = build.archList.map(parseBuiltArch).filter((arch) => arch !== undefined);
  const newest = archs.reduce<ComputeCapability | undefined>(
    (most, arch) => (!most || compareCapability(arch.capability, most) > 0 ? arch.capability : most),
    undefined,
  );
  const tooNew = newest !== undefined && compareCapability(capability, newest) > 0;
  const fix = tooNew
    ? `Use a ${build.name} built with a newer CUDA that includes ${smName(capability)} (for torch, a wheel from a newer index such as https://download.pytorch.org/whl/cu128) and rebuild.`
    : `Use a ${build.name} release whose wheels still include ${smName(capability)}, or ask for a newer GPU in parity.yaml.`;
  return {
    severity: "error",
    code: "GpuArchitectureMissing",
    subject: build.name,
    message: `The image's ${build.name} ${build.version} was built for ${build.archList.join(" ")}; ${gpuName(product, capability)} is not among them, so it fails there with "no kernel image is available for execution on the device".`,
    fix,
  };
}

function onlyPtxFor(
  build: CudaBuild,
  capability: ComputeCapability,
  product: string | undefined,
): ParityItem {
  return {
    severity: "warning",
    code: "GpuArchitecturePtxOnly",
    subject: build.name,
    message: `The image's ${build.name} ${build.version} has no machine code for ${gpuName(product, capability)}, only PTX (${build.archList.filter((arch) => arch.startsWith("compute_")).join(" ")}) that the driver compiles as the job starts: the first start is slow (minutes for TensorFlow), and a driver older than CUDA ${build.cuda} cannot compile it.`,
    fix: `Use a ${build.name} built with ${smName(capability)} (a newer release or CUDA build) so that production runs machine code.`,
  };
}

/** The image's CUDA against production's driver, where the nodes' driver is known. */
function driverItems(build: CudaBuild, profile: ParityProfile, support: string | undefined): ParityItem[] {
  const driver = profile.gpuDriver;
  if (!driver) return [];
  const fit = driverFit(build.cuda, driver.version);
  const supported = driver.cudaVersion ?? cudaOfDriver(driver.version);
  const nodes = `production's nodes (${driver.source}) run NVIDIA driver ${driver.version}${driverCuda(driver)}`;
  if (fit.fit === "too-old") {
    return [
      {
        severity: "error",
        code: "GpuDriverTooOld",
        subject: build.name,
        message: `The image's ${build.name} ${build.version} is built with CUDA ${build.cuda}; ${nodes}, too old for it: CUDA fails to start there ("CUDA driver version is insufficient for CUDA runtime version").`,
        fix: `Use a ${build.name} built for the CUDA the driver supports${supported ? ` (${supported} or older)` : ""}, or have the nodes' driver updated to ${fit.leastDriver} or newer.`,
      },
    ];
  }
  if (fit.fit !== "minor-compatible") return [];
  const ptx = support === "ptx";
  return [
    {
      severity: ptx ? "error" : "info",
      code: ptx ? "GpuDriverCannotCompilePtx" : "GpuDriverMinorCompatible",
      subject: build.name,
      message: ptx
        ? `The image's ${build.name} needs its CUDA ${build.cuda} PTX compiled for production's GPU, but ${nodes}, older than CUDA ${build.cuda}'s ${fit.releaseDriver}: it cannot compile that PTX.`
        : `The image's ${build.name} is built with CUDA ${build.cuda}; ${nodes}, older than CUDA ${build.cuda}'s ${fit.releaseDriver}: it runs through CUDA's minor version compatibility, without compiling PTX.`,
      fix: ptx
        ? `Use a ${build.name} with machine code for production's GPU, or one built with the CUDA the driver supports.`
        : "Nothing to do unless the job compiles kernels at run time (Triton, torch.compile, custom PTX): then match the CUDA build to the driver.",
    },
  ];
}

function driverCuda(driver: NonNullable<ParityProfile["gpuDriver"]>): string {
  return driver.cudaVersion ? ` (CUDA ${driver.cudaVersion})` : "";
}
