import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseProbeOutput } from "../../../src/core/environment/parseProbeOutput";
import { ParityError } from "../../../src/core/errors";

/** Real stdout of probe.py on a Linux machine: Python 3.11.7, cgroup v1 without a limit, no GPU. */
const captured = readFileSync(new URL("./fixtures/probe-stdout-linux.txt", import.meta.url), "utf8");

/** The same probe line as a CUDA image would print it (fields edited from the captured one). */
function gpuImageLine(): string {
  const probe = JSON.parse(captured);
  probe.frameworks = {
    torch: { version: "2.3.1+cu121", cuda: "12.1", cudnn: "8902", cudaAvailable: true },
    tensorflow: { version: "2.16.1", cuda: "12.3", cudnn: "8", cudaBuild: true },
    jax: { version: "0.4.30", jaxlib: "0.4.30", backend: "gpu" },
  };
  probe.nvidia = { driverVersion: "550.54.15", cudaVersion: "12.4" };
  probe.gpus = [{ name: "NVIDIA A10G", memoryBytes: 24146608128 }];
  probe.memory = { totalBytes: 66571993088, limitBytes: 8589934592, cgroup: "v2" };
  probe.cpu = { count: 8, quota: 2 };
  return JSON.stringify(probe);
}

describe("parseProbeOutput", () => {
  it("reads the real probe's output", () => {
    const environment = parseProbeOutput(captured, "local /usr/bin/python3");

    expect(environment.source).toBe("local /usr/bin/python3");
    expect(environment.python).toEqual({
      version: "3.11.7",
      implementation: "CPython",
      executable: "/root/.pyenv/versions/3.11.7/bin/python3",
      platform: "linux",
      machine: "x86_64",
    });
    expect(environment.memory).toEqual({ totalBytes: 25325268992, limitBytes: undefined, cgroup: "v1" });
    expect(environment.cpu).toEqual({ count: 2, quota: undefined });
    expect(environment.gpus).toEqual([]);
    expect(environment.frameworks).toEqual({});
    expect(environment.stdlibModules).toContain("asyncio");
  });

  it("normalises distribution names (PEP 503) in both maps", () => {
    const environment = parseProbeOutput(captured, "local");

    expect(environment.distributions.pyyaml).toBe("6.0.3");
    expect(environment.distributions.PyYAML).toBeUndefined();
    expect(environment.distributions["typing-extensions"]).toBe("4.15.0");
    expect(environment.moduleDistributions.yaml).toEqual(["pyyaml"]);
  });

  it("reads frameworks, GPUs and limits of a CUDA image", () => {
    const environment = parseProbeOutput(gpuImageLine(), "image my-job:3f2a");

    expect(environment.frameworks).toEqual({
      torch: { version: "2.3.1+cu121", cuda: "12.1", cudnn: "8902", cudaAvailable: true },
      tensorflow: { version: "2.16.1", cuda: "12.3", cudnn: "8", cudaBuild: true },
      jax: { version: "0.4.30", jaxlib: "0.4.30", backend: "gpu" },
    });
    expect(environment.nvidia).toEqual({ driverVersion: "550.54.15", cudaVersion: "12.4" });
    expect(environment.gpus).toEqual([{ name: "NVIDIA A10G", memoryBytes: 24146608128 }]);
    expect(environment.memory.limitBytes).toBe(8589934592);
    expect(environment.cpu.quota).toBe(2);
  });

  it("reads the CUDA stack: each build's architectures, JAX's CUDA, the GPU's compute capability", () => {
    const probe = JSON.parse(gpuImageLine());
    // Fields as probe.py writes them; the lists are those of the official wheels of these versions.
    probe.frameworks.torch.archList = ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"];
    probe.frameworks.tensorflow.archList = ["sm_50", "sm_60", "sm_70", "sm_80", "compute_90"];
    probe.frameworks.jax = { ...probe.frameworks.jax, cuda: "12.8", cudnn: "91000" };
    probe.gpus[0].computeCapability = "8.6";
    const environment = parseProbeOutput(JSON.stringify(probe), "image my-job:3f2a");

    expect(environment.frameworks.torch?.archList).toContain("sm_86");
    expect(environment.frameworks.tensorflow?.archList).toEqual([
      "sm_50",
      "sm_60",
      "sm_70",
      "sm_80",
      "compute_90",
    ]);
    expect(environment.frameworks.jax).toMatchObject({ cuda: "12.8", cudnn: "91000" });
    expect(environment.gpus[0]?.computeCapability).toBe("8.6");
    // A probe from before these fields says nothing of them: absent, not empty.
    expect(parseProbeOutput(gpuImageLine(), "old").frameworks.torch).not.toHaveProperty("archList");
  });

  it("takes the last probe line after warnings and other JSON the interpreter printed", () => {
    const noisy = [
      "/usr/lib/python3/dist-packages/requests/__init__.py:87: RequestsDependencyWarning: urllib3 doesn't match",
      "{not json at all",
      captured.trim(),
      '{"some": "other json"}',
      "",
    ].join("\n");

    expect(parseProbeOutput(noisy, "local").python.version).toBe("3.11.7");
  });

  it("explains output that holds no probe report", () => {
    const failure = (() => {
      try {
        parseProbeOutput("Traceback (most recent call last):\nSystemExit: 1\n", "image my-job:3f2a");
      } catch (error) {
        return error;
      }
    })();

    expect(failure).toBeInstanceOf(ParityError);
    expect(failure).toMatchObject({ code: "ProbeOutputInvalid" });
    expect((failure as ParityError).message).toContain("for image my-job:3f2a did not print its report");
    expect((failure as ParityError).message).toContain("SystemExit: 1");
    expect((failure as ParityError).fix).toContain("Python 3.8");
  });

  it("survives fields of the wrong type without inventing values", () => {
    const line = JSON.stringify({
      probe: "parity",
      python: { version: 3 },
      memory: { totalBytes: "lots" },
      gpus: [{}],
    });
    const environment = parseProbeOutput(line, "local");

    expect(environment.python.version).toBe("unknown");
    expect(environment.memory.totalBytes).toBeUndefined();
    expect(environment.gpus).toEqual([]);
    expect(environment.distributions).toEqual({});
  });
});
