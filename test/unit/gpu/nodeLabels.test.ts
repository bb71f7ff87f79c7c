import { describe, expect, it } from "vitest";
import { gpuFromNodeLabels } from "../../../src/core/gpu/nodeLabels";

const MIB = 1024 ** 2;

// Written for these tests in the label names GPU feature discovery uses (not read from a cluster).
describe("a node's GPU from its labels", () => {
  it("reads product, memory, compute capability, driver and CUDA", () => {
    expect(
      gpuFromNodeLabels({
        "kubernetes.io/hostname": "gpu-1",
        "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB",
        "nvidia.com/gpu.memory": "40960",
        "nvidia.com/gpu.count": "8",
        "nvidia.com/gpu.compute.major": "8",
        "nvidia.com/gpu.compute.minor": "0",
        "nvidia.com/cuda.driver.major": "535",
        "nvidia.com/cuda.driver.minor": "104",
        "nvidia.com/cuda.driver.rev": "05",
        "nvidia.com/cuda.runtime.major": "12",
        "nvidia.com/cuda.runtime.minor": "2",
      }),
    ).toEqual({
      product: "NVIDIA-A100-SXM4-40GB",
      memoryBytes: 40960 * MIB,
      memorySource: "label",
      computeCapability: { major: 8, minor: 0 },
      driverVersion: "535.104.05",
      cudaVersion: "12.2",
      count: 8,
    });
  });

  it("prefers the newer -version labels and leaves out an empty revision", () => {
    const gpu = gpuFromNodeLabels({
      "nvidia.com/gpu.product": "Tesla-T4",
      "nvidia.com/cuda.driver-version.major": "550",
      "nvidia.com/cuda.driver-version.minor": "120",
      "nvidia.com/cuda.driver-version.revision": "",
      "nvidia.com/cuda.driver.major": "550",
      "nvidia.com/cuda.runtime-version.major": "12",
      "nvidia.com/cuda.runtime-version.minor": "4",
    });
    expect(gpu).toMatchObject({ driverVersion: "550.120", cudaVersion: "12.4" });
    // No memory label: the known T4's, and its compute capability.
    expect(gpu).toMatchObject({ memoryBytes: 15360 * MIB, memorySource: "product" });
    expect(gpu?.computeCapability).toEqual({ major: 7, minor: 5 });
  });

  it("takes a MIG slice's memory from the label only, and GKE's accelerator as the product", () => {
    expect(gpuFromNodeLabels({ "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb" })).toEqual({
      product: "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb",
      mig: "1g.5gb",
      computeCapability: { major: 8, minor: 0 },
    });
    expect(gpuFromNodeLabels({ "cloud.google.com/gke-accelerator": "nvidia-l4" })).toMatchObject({
      product: "NVIDIA-L4",
      memoryBytes: 23034 * MIB,
    });
  });

  it("says nothing of a node without GPU labels", () => {
    expect(gpuFromNodeLabels({ "kubernetes.io/os": "linux" })).toBeUndefined();
  });
});
