import { describe, expect, it } from "vitest";
import type { Environment } from "../../../src/core/environment/types";
import { productionGpuOf } from "../../../src/core/gpu/productionGpu";
import { buildParityReport } from "../../../src/core/parity";
import type { ParityProfile } from "../../../src/core/parity/types";
import { imageEnvironment, matchingInput } from "./fixtures";

/** The image's frameworks as the probe reports them; the arch lists are those of official wheels. */
function imageWith(frameworks: Environment["frameworks"]): Environment {
  return { ...imageEnvironment(), frameworks };
}

const TORCH_CU121 = {
  version: "2.3.1+cu121",
  cuda: "12.1",
  cudnn: "8902",
  cudaAvailable: false,
  archList: ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"],
};
const TENSORFLOW_2_16 = {
  version: "2.16.1",
  cuda: "12.3",
  cudnn: "8",
  cudaBuild: true,
  archList: ["sm_50", "sm_60", "sm_70", "sm_80", "compute_90"],
};

function gpuProfile(product: string, over: Partial<ParityProfile> = {}): ParityProfile {
  return { ...matchingInput().profile, gpu: 1, productionGpu: productionGpuOf({ product }), ...over };
}

function cudaItems(profile: ParityProfile, image: Environment) {
  return buildParityReport(matchingInput({ profile, image, local: undefined })).items.filter((item) =>
    /^Gpu(Architecture|Driver)/.test(item.code),
  );
}

describe("the image's CUDA stack against production's GPU", () => {
  it("says nothing when the build has machine code for the GPU", () => {
    expect(cudaItems(gpuProfile("NVIDIA-A100-SXM4-40GB"), imageWith({ torch: TORCH_CU121 }))).toEqual([]);
  });

  it("names a framework build that cannot run on production's GPU", () => {
    const [item, ...rest] = cudaItems(gpuProfile("NVIDIA-B200"), imageWith({ torch: TORCH_CU121 }));
    expect(rest).toEqual([]);
    expect(item).toMatchObject({ severity: "error", code: "GpuArchitectureMissing", subject: "torch" });
    expect(item?.message).toBe(
      "The image's torch 2.3.1+cu121 was built for sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90; production's NVIDIA-B200 (compute capability 10.0, sm_100) is not among them, so it fails there with \"no kernel image is available for execution on the device\".",
    );
    expect(item?.fix).toContain("https://download.pytorch.org/whl/cu128");
    const [old] = cudaItems(gpuProfile("Tesla-K80"), imageWith({ torch: TORCH_CU121 }));
    expect(old?.fix).toContain("whose wheels still include sm_37");
  });

  it("warns when production's GPU gets only PTX", () => {
    const [item] = cudaItems(gpuProfile("NVIDIA-H100-80GB-HBM3"), imageWith({ tensorflow: TENSORFLOW_2_16 }));
    expect(item).toMatchObject({
      severity: "warning",
      code: "GpuArchitecturePtxOnly",
      subject: "tensorflow",
    });
    expect(item?.message).toContain("only PTX (compute_90)");
  });

  it("notes that the architecture is unchecked when production's GPU is not named", () => {
    const profile = { ...matchingInput().profile, gpu: 1 };
    expect(cudaItems(profile, imageWith({ torch: TORCH_CU121 })).map((item) => item.code)).toEqual([
      "GpuArchitectureUnchecked",
    ]);
    expect(cudaItems({ ...profile, gpu: 0 }, imageWith({ torch: TORCH_CU121 }))).toEqual([]);
  });

  it("says the architecture is unknown, not the name missing, for a GPU named but not in Parity's table", () => {
    const named = {
      ...matchingInput().profile,
      gpu: 1,
      productionGpu: productionGpuOf({ product: "NVIDIA-GeForce-RTX-3070", memoryBytes: 8 * 1024 ** 3 }),
    };
    const [item] = cudaItems(named, imageWith({ torch: TORCH_CU121 }));
    expect(item).toMatchObject({ code: "GpuArchitectureUnchecked", severity: "info" });
    expect(item?.message).toBe(
      "Parity does not know the compute capability of production's NVIDIA-GeForce-RTX-3070 (resources.gpuProduct), so the image's torch could not be checked against its architecture.",
    );
  });

  it("flags a build that needs a newer driver than production's nodes have", () => {
    const driver = { version: "470.182.03", cudaVersion: "11.4", source: "node gpu-1" };
    const [item] = cudaItems(
      gpuProfile("NVIDIA-A100-SXM4-40GB", { gpuDriver: driver }),
      imageWith({ torch: TORCH_CU121 }),
    );
    expect(item).toMatchObject({ severity: "error", code: "GpuDriverTooOld" });
    expect(item?.message).toContain(
      "production's nodes (node gpu-1) run NVIDIA driver 470.182.03 (CUDA 11.4), too old",
    );
    expect(item?.fix).toContain("(11.4 or older)");
    expect(item?.fix).toContain("525.60.13 or newer");
  });

  it("accepts minor version compatibility, unless production's GPU needs PTX compiled", () => {
    const driver = { version: "535.104.05", source: "node gpu-1" };
    const torch = { ...TORCH_CU121, cuda: "12.4", version: "2.4.0+cu124" };
    const [fine] = cudaItems(
      gpuProfile("NVIDIA-A100-SXM4-40GB", { gpuDriver: driver }),
      imageWith({ torch }),
    );
    expect(fine).toMatchObject({ severity: "info", code: "GpuDriverMinorCompatible" });
    const [cannot, ptx] = cudaItems(
      gpuProfile("NVIDIA-H100-80GB-HBM3", { gpuDriver: driver }),
      imageWith({ tensorflow: TENSORFLOW_2_16 }),
    );
    expect(ptx?.code).toBe("GpuArchitecturePtxOnly");
    expect(cannot).toMatchObject({ severity: "error", code: "GpuDriverCannotCompilePtx" });
  });
});
