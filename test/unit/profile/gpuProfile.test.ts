import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { parseProfile, renderProfileYaml } from "../../../src/core/profile";

const FILE = "/work/project/parity.yaml";
const HEADER = "apiVersion: parity.dev/v1\nkind: Profile\n";
const MIB = 1024 ** 2;

/** Each problem as "line field: message", the way a user reads them. */
function problemsOf(text: string): string[] {
  try {
    parseProfile(HEADER + text, FILE);
  } catch (error) {
    if (!(error instanceof ParityError)) throw error;
    expect(error.location?.file ?? error.details[0]?.location?.file).toBe(FILE);
    return error.details.map(
      (detail) => `${detail.location?.line} ${detail.location?.field}: ${detail.message}`,
    );
  }
  throw new Error("expected the profile to be refused");
}

describe("production's GPU in parity.yaml", () => {
  it("takes memory and compute capability from the product, and enforces them on local runs", () => {
    const resolved = parseProfile(
      `${HEADER}resources:\n  gpu: 1\n  gpuProduct: NVIDIA-A100-SXM4-40GB\n`,
      FILE,
    );
    expect(resolved.profile.resources.gpuProduct).toBe("NVIDIA-A100-SXM4-40GB");
    expect(resolved.limits.productionGpu).toEqual({
      product: "NVIDIA-A100-SXM4-40GB",
      productSource: "resources.gpuProduct",
      memoryBytes: 40960 * MIB,
      memorySource: "product",
      computeCapability: { major: 8, minor: 0 },
    });
  });

  it("lets gpuMemory state the memory (a MIG slice, an unknown card) and the node selector name the product", () => {
    const slice = parseProfile(
      `${HEADER}resources:\n  gpu: 1\n  gpuProduct: NVIDIA-A100-SXM4-40GB-MIG-3g.20gb\n  gpuMemory: 19968Mi\n`,
      FILE,
    );
    expect(slice.limits.productionGpu).toMatchObject({
      memoryBytes: 19968 * MIB,
      memorySource: "resources.gpuMemory",
    });
    const selected = parseProfile(
      `${HEADER}resources: { gpu: 2 }\ncluster:\n  nodeSelector: { nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3 }\n`,
      FILE,
    );
    expect(selected.limits.productionGpu).toMatchObject({
      product: "NVIDIA-H100-80GB-HBM3",
      productSource: "cluster.nodeSelector",
      memoryBytes: 81559 * MIB,
    });
  });

  it("holds no GPU limit for a job that asks for no GPU, whatever nodes it runs on", () => {
    const cpuJob = parseProfile(
      `${HEADER}cluster:\n  nodeSelector: { nvidia.com/gpu.product: Tesla-T4 }\n`,
      FILE,
    );
    expect(cpuJob.limits.productionGpu).toBeUndefined();
  });

  it("refuses a product whose memory nobody states, with its line", () => {
    expect(problemsOf("resources:\n  gpu: 1\n  gpuProduct: NVIDIA-GeForce-RTX-3070\n")).toEqual([
      '5 resources.gpuProduct: Parity does not know how much memory a "NVIDIA-GeForce-RTX-3070" has.',
    ]);
    expect(problemsOf("resources:\n  gpu: 1\n  gpuProduct: NVIDIA-A100-SXM4-40GB-MIG-1g.5gb\n")[0]).toContain(
      "is a MIG slice (1g.5gb)",
    );
  });

  it("refuses a GPU described for a job that asks for none", () => {
    expect(problemsOf("resources:\n  gpuMemory: 40Gi\n")).toEqual([
      "4 resources.gpuMemory: resources.gpuMemory describes production's GPU, but the profile asks for no GPU (resources.gpu is 0).",
    ]);
  });

  it("refuses a GPU described where only the workers or the endpoint ask for GPUs: it would not be read", () => {
    expect(
      problemsOf(
        "resources:\n  gpuProduct: NVIDIA-A100-SXM4-40GB\ncluster:\n  namespace: ml\n  distributed: { kind: PyTorchJob, workers: 2, workerResources: { gpu: 1 } }\nserving:\n  resources: { gpu: 1 }\n",
      ),
    ).toEqual([
      "4 resources.gpuProduct: resources.gpuProduct describes the GPU of the job's own pod, but resources.gpu is 0 (only cluster.distributed.workerResources and serving.resources ask for GPUs), so Parity would not read it.",
    ]);
  });

  it("refuses more memory than the product has, and a product other than the node selector's", () => {
    expect(
      problemsOf(
        "resources:\n  gpu: 1\n  gpuProduct: NVIDIA-A100-SXM4-40GB\n  gpuMemory: 80Gi\ncluster:\n  nodeSelector: { nvidia.com/gpu.product: NVIDIA-A100-SXM4-80GB }\n",
      ),
    ).toEqual([
      '5 resources.gpuProduct: resources.gpuProduct is "NVIDIA-A100-SXM4-40GB", but cluster.nodeSelector sends the job to "NVIDIA-A100-SXM4-80GB" nodes.',
      "6 resources.gpuMemory: resources.gpuMemory (80 GiB) is more than an NVIDIA-A100-SXM4-40GB has (40 GiB).",
    ]);
  });

  it("refuses a GPU memory that is not a usable size, and a product written as nvidia-smi prints it", () => {
    expect(problemsOf("resources:\n  gpu: 1\n  gpuMemory: 40\n")).toEqual([
      '5 resources.gpuMemory: "40" is only 40 B; no GPU has less than 256 MiB.',
    ]);
    const [spaced] = problemsOf('resources:\n  gpu: 1\n  gpuProduct: "NVIDIA A100-SXM4-40GB"\n');
    expect(spaced).toContain("5 resources.gpuProduct:");
    expect(spaced).toContain("with '-' for spaces");
  });

  it("renders the fields it was given, and suggests gpuProduct where the profile asks for GPUs", () => {
    const resolved = parseProfile(
      `${HEADER}resources:\n  gpu: 1\n  gpuProduct: Tesla-T4\n  gpuMemory: 15Gi\n`,
      FILE,
    );
    const yaml = renderProfileYaml(resolved.profile);
    expect(yaml).toContain("  gpuProduct: Tesla-T4\n  gpuMemory: 15Gi\n");
    expect(parseProfile(yaml, FILE).profile.resources).toEqual(resolved.profile.resources);
    const plain = parseProfile(`${HEADER}resources: { gpu: 1 }\n`, FILE);
    expect(renderProfileYaml(plain.profile)).toContain("# gpuProduct: NVIDIA-A100-SXM4-40GB");
  });
});
