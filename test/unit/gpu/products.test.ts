import { describe, expect, it } from "vitest";
import { findGpuProduct, productOfGkeAccelerator, splitProductName } from "../../../src/core/gpu/products";
import { productionGpuOf } from "../../../src/core/gpu/productionGpu";

const MIB = 1024 ** 2;

describe("the table of known GPUs", () => {
  it("finds a product however the driver spells it", () => {
    const a100 = findGpuProduct("NVIDIA-A100-SXM4-40GB");
    expect(a100).toMatchObject({ memoryBytes: 40960 * MIB, computeCapability: { major: 8, minor: 0 } });
    // Older drivers leave out "NVIDIA "; nvidia-smi writes spaces where the label has dashes.
    expect(findGpuProduct("A100-SXM4-40GB")).toBe(a100);
    expect(findGpuProduct("NVIDIA A100-SXM4-40GB")).toBe(a100);
    expect(findGpuProduct("nvidia-a100-sxm4-40gb")).toBe(a100);
    expect(findGpuProduct("Tesla-T4")).toMatchObject({ computeCapability: { major: 7, minor: 5 } });
    expect(findGpuProduct("NVIDIA-H100-80GB-HBM3")?.memoryBytes).toBe(81559 * MIB);
    expect(findGpuProduct("NVIDIA-B200")?.computeCapability).toEqual({ major: 10, minor: 0 });
    expect(findGpuProduct("NVIDIA-GeForce-RTX-3070")).toBeUndefined();
  });

  it("tells a MIG slice and a time-sliced GPU from the whole card", () => {
    expect(splitProductName("NVIDIA-A100-SXM4-80GB-MIG-3g.40gb")).toEqual({
      base: "NVIDIA-A100-SXM4-80GB",
      mig: "3g.40gb",
      shared: false,
    });
    expect(splitProductName("Tesla-T4-SHARED")).toEqual({ base: "Tesla-T4", shared: true });
    expect(findGpuProduct("Tesla-T4-SHARED")).toBe(findGpuProduct("Tesla-T4"));
  });

  it("reads GKE's accelerator names as products", () => {
    expect(productOfGkeAccelerator("nvidia-tesla-t4")).toBe("Tesla-T4");
    expect(productOfGkeAccelerator("nvidia-l4")).toBe("NVIDIA-L4");
    expect(productOfGkeAccelerator("nvidia-unknown")).toBeUndefined();
  });
});

describe("production's GPU from the profile", () => {
  it("takes the memory and compute capability of a known product", () => {
    expect(productionGpuOf({ product: "NVIDIA-L4" })).toEqual({
      product: "NVIDIA-L4",
      productSource: "resources.gpuProduct",
      memoryBytes: 23034 * MIB,
      memorySource: "product",
      computeCapability: { major: 8, minor: 9 },
    });
  });

  it("lets resources.gpuMemory say the memory, and the node selector name the product", () => {
    expect(
      productionGpuOf({
        memoryBytes: 20 * 1024 * MIB,
        nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-A10G" },
      }),
    ).toEqual({
      product: "NVIDIA-A10G",
      productSource: "cluster.nodeSelector",
      memoryBytes: 20 * 1024 * MIB,
      memorySource: "resources.gpuMemory",
      computeCapability: { major: 8, minor: 6 },
    });
  });

  it("gives a MIG slice no memory of its own, and says nothing when nothing is written", () => {
    expect(productionGpuOf({ product: "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb" })).toEqual({
      product: "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb",
      productSource: "resources.gpuProduct",
      computeCapability: { major: 8, minor: 0 },
    });
    expect(productionGpuOf({ nodeSelector: { pool: "gpu" } })).toBeUndefined();
  });
});
