import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it, type TestContext } from "vitest";
import { explainTracebackOf } from "../../../src/app/job/load";
import { diagnoseRun } from "../../../src/core/diagnosis/diagnose";
import { parseProbeOutput } from "../../../src/core/environment/parseProbeOutput";
import { archSupport, parseComputeCapability } from "../../../src/core/gpu/computeCapability";
import { productionGpuOf } from "../../../src/core/gpu/productionGpu";
import { convertNotebook } from "../../../src/core/notebook";
import { captureScripts } from "../../fixtures/gpu/captureScripts";

/**
 * Outputs of test/fixtures/gpu/capture.sh on a real NVIDIA GPU. Until a session with a GPU has run
 * it and committed captured/, these tests are skipped, and say so.
 */
const CAPTURED = new URL("../../fixtures/gpu/captured/", import.meta.url);
const SKIPPED =
  'no real GPU capture yet: run bash test/fixtures/gpu/capture.sh "$OUT" on a machine with an NVIDIA GPU and commit its files as captured/ (test/fixtures/gpu/README.md)';
const GIB = 1024 ** 3;
const A100_40 = productionGpuOf({ product: "NVIDIA-A100-SXM4-40GB" });

function captured(context: TestContext, name: string): string {
  const file = new URL(name, CAPTURED);
  context.skip(!existsSync(file), SKIPPED);
  return readFileSync(file, "utf8");
}

function exitCode(context: TestContext, step: string): number {
  return (JSON.parse(captured(context, "capture.json")) as { exitCodes: Record<string, number> }).exitCodes[
    step
  ]!;
}

/** The capture's log diagnosed as a local run's would be: its traceback mapped to the notebook's cell. */
function diagnose(log: string, notebook: string) {
  const text = readFileSync(new URL(`../../fixtures/gpu/notebooks/${notebook}`, import.meta.url), "utf8");
  const job = convertNotebook(text, notebook);
  const scriptPath = /File "([^"]+\.parity\.py)"/.exec(log)?.[1] ?? "";
  const failure = explainTracebackOf(`/work/${notebook}`, job.lineMap, scriptPath)(log);
  const logTail = log.trimEnd().split("\n").slice(-200);
  return diagnoseRun({
    exitCode: 1,
    oomKilled: false,
    cancelled: false,
    memoryLimitBytes: 16 * GIB,
    logTail,
    failure,
    gpu: A100_40,
  });
}

describe("the scripts capture.sh runs", () => {
  it("are what Parity generates from the notebooks now (else: node scripts/run-ts.mjs test/fixtures/gpu/write-scripts.ts)", () => {
    for (const { file, script } of captureScripts()) {
      const committed = readFileSync(
        fileURLToPath(new URL(`../../fixtures/gpu/scripts/${file}`, import.meta.url)),
        "utf8",
      );
      expect(committed, file).toBe(script);
    }
  });
});

describe("captured on a real GPU", () => {
  it("the probe reports the driver, each framework's CUDA build and the architectures it has", (context) => {
    const environment = parseProbeOutput(captured(context, "probe.json"), "captured GPU machine");
    const [gpu] = environment.gpus;
    expect(environment.nvidia.driverVersion).toMatch(/^\d+\.\d+/);
    expect(environment.nvidia.cudaVersion).toMatch(/^\d+\.\d+$/);
    expect(gpu?.computeCapability).toMatch(/^\d+\.\d+$/);
    const torch = environment.frameworks.torch;
    expect(torch?.cuda).toMatch(/^\d+\.\d+$/);
    expect(torch?.archList?.length).toBeGreaterThan(0);
    // torch ran on this GPU in the same capture, so its build has code for it.
    expect(archSupport(torch!.archList!, parseComputeCapability(gpu!.computeCapability!)!)).not.toBe("none");
    expect(environment.frameworks.jax?.cuda).toMatch(/^\d+\.\d+$/);
  });

  it("the frameworks get less of the GPU than NVML's total, the figure the limit is made of", (context) => {
    const figures = JSON.parse(captured(context, "cuda-memory.json")) as {
      nvmlTotalMiB: number;
      torchTotalMemory: number;
      torchMemGetInfo: { free: number; total: number };
    };
    const nvml = figures.nvmlTotalMiB * 1024 ** 2;
    expect(exitCode(context, "cuda-memory")).toBe(0);
    expect(figures.torchTotalMemory).toBeLessThanOrEqual(nvml);
    expect(figures.torchMemGetInfo.free).toBeLessThan(figures.torchMemGetInfo.total);
  });

  it("PyTorch is held to production's 40 GiB and stopped there by a real CUDA out of memory, in cell 3", (context) => {
    const log = captured(context, "torch-oom.log");
    expect(exitCode(context, "torch-oom")).not.toBe(0);
    expect(log).toMatch(
      /^Parity: GPU memory held to production's NVIDIA-A100-SXM4-40GB \(40\.0 GiB\) on this /m,
    );
    expect(log).toMatch(/^Parity: torch holds cuda:0 to 40\.0 GiB of its /m);
    expect(log).toContain("holding 36.0 GiB");
    expect(log).toContain("40.00 GiB allowed;");
    const [diagnosis] = diagnose(log, "oom-torch.ipynb");
    expect(diagnosis).toMatchObject({ code: "GpuOutOfMemory", location: { cell: 3, line: 2 } });
    expect(diagnosis?.message).toContain(
      "PyTorch tried to allocate 8.00 GiB. It stopped at the 40.00 GiB Parity allows on this GPU: production's NVIDIA-A100-SXM4-40GB has 40 GiB",
    );
  });

  it("JAX is held to its share of production's 40 GiB and stopped by a real RESOURCE_EXHAUSTED, in cell 3", (context) => {
    const log = captured(context, "jax-oom.log");
    expect(exitCode(context, "jax-oom")).not.toBe(0);
    expect(log).toContain("holding 24 GiB");
    expect(log).toContain("RESOURCE_EXHAUSTED");
    const [diagnosis] = diagnose(log, "oom-jax.ipynb");
    expect(diagnosis).toMatchObject({ code: "GpuOutOfMemory", location: { cell: 3, line: 2 } });
    expect(diagnosis?.message).toContain("JAX tried to allocate 8 GiB");
  });

  it("a GPU smaller than production's says it cannot show production's headroom, and sets no limit", (context) => {
    const log = captured(context, "torch-larger-production.log");
    expect(log).toMatch(
      /^Parity: this .* has less memory than production's NVIDIA-B200 .* cannot show production's headroom/m,
    );
    expect(log).toContain("allocated 44.0 GiB in all");
    expect(exitCode(context, "torch-larger-production")).toBe(0);
  });

  it("without a visible GPU the run says which GPU checks were skipped", (context) => {
    const log = captured(context, "torch-no-gpu.log");
    expect(log).toMatch(/^Parity: no GPU is visible to this run, so its GPU checks were skipped/m);
    expect(exitCode(context, "torch-no-gpu")).not.toBe(0);
  });
});
