import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { defaultProfileDocument, parseProfile, renderProfileYaml } from "../../../src/core/profile";

const FILE = "/work/project/parity.yaml";
const GI = 1024 ** 3;

function profileWith(
  cluster: string,
  resources = "resources: { memory: 8Gi, cpu: 4, gpu: 1, shm: 1Gi }\n",
): string {
  return `apiVersion: parity.dev/v1\nkind: Profile\n${resources}cluster:\n${cluster}`;
}

function problems(text: string): string[] {
  try {
    parseProfile(text, FILE);
  } catch (error) {
    if (!(error instanceof ParityError)) throw error;
    return error.details.map(
      (detail) => `${detail.location?.line} ${detail.location?.field}: ${detail.message}`,
    );
  }
  throw new Error("expected parseProfile to throw");
}

describe("cluster.distributed", () => {
  it("resolves each worker's limits, taking what workerResources leaves out from resources", () => {
    const text = profileWith(
      "  namespace: ml\n  distributed:\n    kind: PyTorchJob\n    workers: 3\n    workerResources: { gpu: 4, memory: 32Gi }\n",
    );
    const distributed = parseProfile(text, FILE).profile.cluster?.distributed;
    expect(distributed).toEqual({
      kind: "PyTorchJob",
      workers: 3,
      workerResources: { gpu: 4, memory: "32Gi" },
      workerLimits: { memoryBytes: 32 * GI, milliCpu: 4000, nanoCpus: 4e9, gpu: 4, shmBytes: GI },
    });
  });

  it("gives workers the same limits as resources when workerResources is left out", () => {
    const distributed = parseProfile(profileWith("  distributed: { kind: TFJob, workers: 1 }\n"), FILE)
      .profile.cluster?.distributed;
    expect(distributed).toEqual({
      kind: "TFJob",
      workers: 1,
      workerLimits: { memoryBytes: 8 * GI, milliCpu: 4000, nanoCpus: 4e9, gpu: 1, shmBytes: GI },
    });
  });

  it("keeps numbers written for quantities as text, as resources does", () => {
    const text = profileWith("  distributed: { kind: TFJob, workers: 2, workerResources: { cpu: 0.5 } }\n");
    const distributed = parseProfile(text, FILE).profile.cluster?.distributed;
    expect(distributed?.workerResources).toEqual({ cpu: "0.5" });
    expect(distributed?.workerLimits.milliCpu).toBe(500);
  });

  it("leaves cluster.distributed out when it is not written", () => {
    expect(parseProfile(profileWith("  namespace: ml\n"), FILE).profile.cluster).not.toHaveProperty(
      "distributed",
    );
  });

  it("names a wrong kind, a worker count under 1 and unknown fields with their lines", () => {
    const text = profileWith(
      [
        "  distributed:",
        "    kind: MPIJob",
        "    workers: 0",
        "    workerResources:",
        "      gpus: 2",
        "",
      ].join("\n"),
    );
    expect(problems(text)).toEqual([
      '6 cluster.distributed.kind: "MPIJob" is not one of: PyTorchJob, TFJob.',
      "7 cluster.distributed.workers: Must be at least 1, found 0.",
      '9 cluster.distributed.workerResources.gpus: Unknown field "gpus".',
    ]);
  });

  it("asks for kind and workers", () => {
    expect(problems(profileWith("  distributed: { workers: 2 }\n"))).toEqual([
      '5 cluster.distributed.kind: Missing required field "kind".',
    ]);
  });

  it("checks worker quantities like resources: the spelling, the minimum, and a fractional worker count", () => {
    const text = profileWith(
      [
        "  distributed:",
        "    kind: PyTorchJob",
        "    workers: 1.5",
        "    workerResources:",
        "      memory: 8GB",
        "      cpu: 1m",
        "      shm: 64m",
        "",
      ].join("\n"),
    );
    expect(problems(text)).toEqual([
      "7 cluster.distributed.workers: Expected a whole number, found the number 1.5.",
      '9 cluster.distributed.workerResources.memory: "8GB" is not a valid Kubernetes quantity.',
      '10 cluster.distributed.workerResources.cpu: "1m" is less than 0.01 CPU, the least Docker accepts.',
      '11 cluster.distributed.workerResources.shm: "64m" is only 1 B; /dev/shm under 1 MiB is unusable.',
    ]);
  });

  it("refuses a worker shm larger than the worker's memory, inherited or written", () => {
    const inherited = profileWith(
      "  distributed:\n    kind: PyTorchJob\n    workers: 2\n    workerResources: { memory: 512Mi }\n",
      "resources: { memory: 8Gi, shm: 1Gi }\n",
    );
    expect(problems(inherited)).toEqual([
      "8 cluster.distributed.workerResources.memory: Shared memory (1 GiB) is larger than the memory limit (512 MiB).",
    ]);
    const written = profileWith(
      "  distributed:\n    kind: PyTorchJob\n    workers: 2\n    workerResources:\n      shm: 16Gi\n",
      "resources: { memory: 8Gi }\n",
    );
    expect(problems(written)).toEqual([
      "9 cluster.distributed.workerResources.shm: Shared memory (16 GiB) is larger than the memory limit (8 GiB).",
    ]);
  });

  it("renders back to YAML without the worked-out limits, and parses to the same profile", () => {
    const text = profileWith(
      "  namespace: ml\n  distributed: { kind: PyTorchJob, workers: 3, workerResources: { gpu: 4 } }\n",
    );
    const { profile } = parseProfile(text, FILE);
    const yaml = renderProfileYaml(profile);
    expect(yaml).not.toContain("workerLimits");
    expect(yaml).toContain(
      "  distributed:\n    kind: PyTorchJob\n    workers: 3\n    workerResources:\n      gpu: 4\n",
    );
    expect(parseProfile(yaml, FILE).profile).toEqual(profile);
  });

  it("is offered in the commented cluster example of a new profile, valid once uncommented", () => {
    const lines = renderProfileYaml(defaultProfileDocument()).split("\n");
    const start = lines.indexOf("# cluster:");
    const end = lines.findIndex((line, index) => index > start && !line.startsWith("#  "));
    const example = lines.slice(start, end).map((line) => line.slice(2));
    expect(example.at(-1)).toMatch(/^ {2}distributed: /);
    const yaml = `apiVersion: parity.dev/v1\nkind: Profile\n${example.join("\n")}\n`;
    expect(parseProfile(yaml, FILE).profile.cluster?.distributed).toMatchObject({
      kind: "PyTorchJob",
      workers: 2,
    });
  });
});
