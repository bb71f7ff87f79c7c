import type { Environment, TensorflowBuild, TorchBuild } from "../environment/types";
import type { ParityItem, ParityProfile } from "./types";
import { compareVersions } from "./units";

/** CUDA / cuDNN builds of the frameworks, and whether production's GPU can be used at all. */
export function checkBuilds(profile: ParityProfile, local?: Environment, image?: Environment): ParityItem[] {
  const items: ParityItem[] = [];
  const localTorch = local?.frameworks.torch;
  const imageTorch = image?.frameworks.torch;
  if (localTorch && imageTorch) items.push(...compareTorch(localTorch, imageTorch));
  const localTf = local?.frameworks.tensorflow;
  const imageTf = image?.frameworks.tensorflow;
  if (localTf && imageTf) items.push(...compareTensorflow(localTf, imageTf));
  if (profile.gpu > 0) {
    items.push(
      ...cpuBuildsWithGpu(profile.gpu, profile.requirementsFile ?? "requirements.txt", imageTorch, imageTf),
    );
  }
  const driverCuda = local?.nvidia.cudaVersion;
  if (driverCuda && imageTorch?.cuda && compareVersions(imageTorch.cuda, driverCuda) > 0) {
    items.push({
      severity: "warning",
      code: "CudaDriverLocal",
      subject: "cuda",
      message: `The image's torch needs CUDA ${imageTorch.cuda}; this machine's NVIDIA driver ${local?.nvidia.driverVersion ?? ""} supports up to CUDA ${driverCuda}, so the image cannot use this GPU.`,
      fix: `Update the NVIDIA driver to one that supports CUDA ${imageTorch.cuda}, or run on the cluster target.`,
    });
  }
  return items;
}

function describeCuda(cuda: string | undefined): string {
  return cuda ? `CUDA ${cuda}` : "CPU only";
}

function torchIndex(cuda: string | undefined): string {
  return `https://download.pytorch.org/whl/${cuda ? `cu${cuda.replace(/\./g, "")}` : "cpu"}`;
}

function compareTorch(local: TorchBuild, image: TorchBuild): ParityItem[] {
  const items: ParityItem[] = [];
  if (local.cuda !== image.cuda) {
    items.push({
      severity: "error",
      code: "TorchCudaBuild",
      subject: "torch",
      message: `torch is built for ${describeCuda(local.cuda)} in your notebook, ${describeCuda(image.cuda)} in the image.`,
      fix: `pip install torch==${image.version} --index-url ${torchIndex(image.cuda)} in your notebook's environment.`,
    });
  } else if (local.cudnn && image.cudnn && local.cudnn !== image.cudnn) {
    items.push({
      severity: "warning",
      code: "TorchCudnnBuild",
      subject: "torch",
      message: `torch uses cuDNN ${local.cudnn} in your notebook, ${image.cudnn} in the image: convolution results and memory use can differ.`,
      fix: `pip install torch==${image.version} --index-url ${torchIndex(image.cuda)} in your notebook's environment.`,
    });
  }
  return items;
}

function compareTensorflow(local: TensorflowBuild, image: TensorflowBuild): ParityItem[] {
  if (local.cuda === image.cuda && local.cudnn === image.cudnn) return [];
  const describe = (build: TensorflowBuild) =>
    build.cuda ? `CUDA ${build.cuda} / cuDNN ${build.cudnn ?? "?"}` : "CPU only";
  return [
    {
      severity: "error",
      code: "TensorflowCudaBuild",
      subject: "tensorflow",
      message: `tensorflow is built for ${describe(local)} in your notebook, ${describe(image)} in the image.`,
      fix: `pip install tensorflow${image.cuda ? "[and-cuda]" : ""}==${image.version} in your notebook's environment.`,
    },
  ];
}

function cpuBuildsWithGpu(
  gpu: number,
  requirementsFile: string,
  torch?: TorchBuild,
  tensorflow?: TensorflowBuild,
): ParityItem[] {
  const items: ParityItem[] = [];
  const gpus = gpu === 1 ? "1 GPU" : `${gpu} GPUs`;
  if (torch && !torch.cuda) {
    items.push({
      severity: "error",
      code: "TorchCpuBuild",
      subject: "torch",
      message: `Production gives this job ${gpus}, but the image's torch ${torch.version} is a CPU-only build and will not use them.`,
      fix: `Add --extra-index-url ${torchIndex("12.1")} to ${requirementsFile} (pick the cu tag for your cluster's driver) and rebuild.`,
    });
  }
  if (tensorflow && !tensorflow.cudaBuild) {
    items.push({
      severity: "error",
      code: "TensorflowCpuBuild",
      subject: "tensorflow",
      message: `Production gives this job ${gpus}, but the image's tensorflow ${tensorflow.version} is a CPU-only build.`,
      fix: `Install tensorflow[and-cuda]==${tensorflow.version} in ${requirementsFile} and rebuild.`,
    });
  }
  return items;
}
