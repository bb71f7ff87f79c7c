import { describe, expect, it } from "vitest";
import { explainBuildFailure } from "../../../src/targets/docker/buildImage";
import { hostConfigFor } from "../../../src/targets/docker/runContainer";

const MiB = 1024 * 1024;
const spec = {
  image: "parity/job:abc",
  limits: { memoryBytes: 256 * MiB, nanoCpus: 1_500_000_000, shmBytes: 64 * MiB, gpu: 0 },
  mounts: [
    { hostPath: "/home/me/project", containerPath: "/workspace", readOnly: true },
    { hostPath: "/home/me/project/outputs", containerPath: "/workspace/outputs", readOnly: false },
  ],
};

// What the engine is asked for; the integration tests prove the engine enforces it.
describe("hostConfigFor", () => {
  it("sets memory and swap to the same limit, CPU, shared memory and the mounts", () => {
    expect(hostConfigFor(spec)).toEqual({
      Memory: 256 * MiB,
      MemorySwap: 256 * MiB,
      NanoCpus: 1_500_000_000,
      ShmSize: 64 * MiB,
      Mounts: [
        { Type: "bind", Source: "/home/me/project", Target: "/workspace", ReadOnly: true },
        { Type: "bind", Source: "/home/me/project/outputs", Target: "/workspace/outputs", ReadOnly: false },
      ],
      AutoRemove: false,
    });
  });

  it("asks for NVIDIA GPUs only when the profile has some", () => {
    expect(hostConfigFor(spec).DeviceRequests).toBeUndefined();
    const withGpus = hostConfigFor({ ...spec, limits: { ...spec.limits, gpu: 2 } });
    expect(withGpus.DeviceRequests).toEqual([{ Driver: "nvidia", Count: 2, Capabilities: [["gpu"]] }]);
  });
});

describe("explainBuildFailure", () => {
  it("shows pip's own error lines for a failed requirements step", () => {
    const error = explainBuildFailure(
      "The command '/bin/sh -c python3 -m venv ... pip install' returned a non-zero code: 1",
      [
        "Step 7/16 : RUN python3 -m venv ...",
        "ERROR: Could not find a version that satisfies the requirement nope==1 (from versions: none)",
        "ERROR: No matching distribution found for nope==1",
      ],
    );
    expect(error.code).toBe("DependencyInstallFailed");
    expect(error.message).toBe(
      "Installing the requirements failed:\nERROR: Could not find a version that satisfies the requirement nope==1 (from versions: none)\nERROR: No matching distribution found for nope==1",
    );
    expect(error.location?.field).toBe("image.requirements");
  });

  it("keeps the tail of the output for other failing steps", () => {
    const error = explainBuildFailure(
      "The command '/bin/sh -c apt-get update' returned a non-zero code: 100",
      ["E: Unable to locate package libfoo"],
    );
    expect(error.code).toBe("BuildFailed");
    expect(error.message).toContain("E: Unable to locate package libfoo");
  });
});
