import { describe, expect, it } from "vitest";
import { diagnoseRun } from "../../../src/core/diagnosis/diagnose";
import type { RunEvidence } from "../../../src/core/diagnosis/types";
import { productionGpuOf } from "../../../src/core/gpu/productionGpu";
import { upstreamQuote } from "./upstream";

const GIB = 1024 ** 3;
const A100_40 = productionGpuOf({ product: "NVIDIA-A100-SXM4-40GB" });
const cell = { file: "/work/train.ipynb", cell: 4, line: 2, source: "logits = model(batch)" };

function failed(logTail: string[], over: Partial<RunEvidence> = {}): RunEvidence {
  return { exitCode: 1, oomKilled: false, cancelled: false, memoryLimitBytes: 16 * GIB, logTail, ...over };
}

function first(evidence: RunEvidence) {
  const [diagnosis] = diagnoseRun(evidence);
  if (!diagnosis) throw new Error("no diagnosis");
  return diagnosis;
}

describe("a CUDA out of memory, from each framework's real message", () => {
  it("PyTorch 2.4+: maps it to the cell and explains it against production's GPU", () => {
    const { lines } = upstreamQuote("torch-2.4-oom.txt");
    const diagnosis = first(
      failed(lines, {
        gpu: A100_40,
        failure: { exception: "OutOfMemoryError", message: "", location: cell },
      }),
    );
    expect(diagnosis.code).toBe("GpuOutOfMemory");
    expect(diagnosis.location).toEqual(cell);
    expect(diagnosis.message).toBe(
      "The GPU ran out of memory in cell 4, line 2: PyTorch tried to allocate 22.78 GiB. This GPU has 31.47 GiB, less than the 40 GiB of production's NVIDIA-A100-SXM4-40GB: it may fit there; run it on the cluster target to know.",
    );
    expect(diagnosis.fix).toContain("To fit 40 GiB: lower the batch size and accumulate gradients");
    expect(diagnosis.fix).toContain("torch.autocast");
    expect(diagnosis.fix).toContain("torch.utils.checkpoint");
  });

  it("PyTorch 2.1 ('total capacty') and 1.x ('(GPU 0; ... total capacity')", () => {
    const older = first(failed(upstreamQuote("torch-2.1-oom.txt").lines, { gpu: A100_40 }));
    expect(older.message).toContain("PyTorch tried to allocate 55.57 GiB. This GPU has 12.00 GiB, less than");
    const oldest = first(failed(upstreamQuote("torch-1.0-oom.txt").lines, { gpu: A100_40 }));
    expect(oldest.message).toContain("PyTorch tried to allocate 12.50 MiB. This GPU has 10.92 GiB");
  });

  it("PyTorch stopped at Parity's limit says so", () => {
    // Composed in the format of PyTorch's CUDACachingAllocator.cpp (" allowed; " when a fraction is
    // set); not a capture: test/fixtures/gpu/captured/ holds the real one once a GPU session ran.
    const line =
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 8.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 42.61 GiB is free. Including non-PyTorch memory, this process has 36.57 GiB memory in use. 40.00 GiB allowed; Of the allocated memory 36.00 GiB is allocated by PyTorch, and 0 bytes is reserved by PyTorch but unallocated.";
    expect(first(failed([line], { gpu: A100_40 })).message).toBe(
      "The GPU ran out of memory: PyTorch tried to allocate 8.00 GiB. It stopped at the 40.00 GiB Parity allows on this GPU: production's NVIDIA-A100-SXM4-40GB has 40 GiB, so it runs out of GPU memory there the same way.",
    );
  });

  it("TensorFlow's ResourceExhaustedError", () => {
    const diagnosis = first(failed(upstreamQuote("tensorflow-oom.txt").lines, { gpu: A100_40 }));
    expect(diagnosis.message).toBe(
      "The GPU ran out of memory: TensorFlow tried to allocate a float tensor of shape [128,768]. Production's NVIDIA-A100-SXM4-40GB has 40 GiB; Parity holds local runs to it where the GPU has more.",
    );
    expect(diagnosis.fix).toContain("mixed_float16");
  });

  it("JAX's RESOURCE_EXHAUSTED in both spellings", () => {
    expect(first(failed(upstreamQuote("jax-oom.txt").lines, { gpu: A100_40 })).message).toContain(
      "JAX tried to allocate 6.9 GiB.",
    );
    const request = first(failed(upstreamQuote("jax-oom-request.txt").lines, { gpu: A100_40 }));
    expect(request.message).toContain("JAX tried to allocate 2.99GiB.");
    expect(request.fix).toContain("jax.checkpoint");
  });

  it("the CUDA driver's CUDA_ERROR_OUT_OF_MEMORY, on the GPU and for pinned host memory", () => {
    expect(first(failed(upstreamQuote("cuda-error-oom.txt").lines)).message).toBe(
      "The GPU ran out of memory: CUDA tried to allocate 17.8 GiB. The profile (parity.yaml) does not say which GPU production has, so this run was not held to its memory: set resources.gpuProduct (or resources.gpuMemory) to see production's out of memory here first.",
    );
    const pinned = first(failed(upstreamQuote("pinned-host-oom.txt").lines));
    expect(pinned.code).toBe("PinnedHostOutOfMemory");
    expect(pinned.fix).toContain("resources.memory");
  });

  it("only for a run that failed", () => {
    expect(diagnoseRun({ ...failed(upstreamQuote("jax-oom.txt").lines), exitCode: 0 })).toEqual([]);
  });
});

describe("what is not a GPU failure, or not this one", () => {
  // The runtime's own line as an earlier version wrote it: it named CUDA's out of memory.
  const runtimeLine =
    "Parity: this NVIDIA GeForce RTX 4090 (24.0 GiB) has less memory than production's NVIDIA-A100-SXM4-40GB (40.0 GiB), so this run cannot show production's headroom: a CUDA out of memory here may not happen there. No GPU memory limit was set.";

  it("never reads Parity's own lines: an unrelated failure is diagnosed as itself", () => {
    const missing = first(
      failed([runtimeLine, "ModuleNotFoundError: No module named 'einops'"], {
        gpu: A100_40,
        failure: { exception: "ModuleNotFoundError", message: "No module named 'einops'", location: cell },
      }),
    );
    expect(missing.code).toBe("ModuleNotFound");
    // Not even a fallback when no traceback could be read.
    expect(first(failed([runtimeLine, "Killed"], { gpu: A100_40 })).code).toBe("NonZeroExit");
  });

  it("puts the Python exception first when it cannot be the GPU's failure", () => {
    const logged = upstreamQuote("cuda-error-oom.txt").lines; // TensorFlow logs this and retries smaller
    const diagnosis = first(
      failed([...logged, "KeyError: 'label'"], {
        gpu: A100_40,
        failure: { exception: "KeyError", message: "'label'", location: cell },
      }),
    );
    expect(diagnosis).toMatchObject({
      code: "PythonException",
      message: "KeyError: 'label' (raised in cell 4, line 2)",
    });
    // A CUDA error raised as a RuntimeError is the GPU's.
    const raised = first(
      failed(upstreamQuote("torch-1.0-oom.txt").lines, {
        failure: { exception: "RuntimeError", message: "CUDA out of memory. Tried to allocate 12.50 MiB" },
      }),
    );
    expect(raised.code).toBe("GpuOutOfMemory");
  });

  it("takes PyTorch's architecture warning alone for no failure: it needs the error", () => {
    const [warning, supports] = upstreamQuote("no-kernel-image.txt").lines;
    expect(first(failed([warning!, supports!, "Killed"])).code).toBe("NonZeroExit");
  });

  it("calls XLA's RESOURCE_EXHAUSTED JAX's only with JAX in the log", () => {
    const line = "RESOURCE_EXHAUSTED: Out of memory while trying to allocate 7406166528 bytes.";
    expect(first(failed([line])).message).toContain("XLA tried to allocate 6.9 GiB.");
    expect(first(failed([`jaxlib.xla_extension.XlaRuntimeError: ${line}`])).message).toContain(
      "JAX tried to allocate 6.9 GiB.",
    );
  });

  it("reads a megabyte line without stalling", () => {
    // Long runs of digits and text before the phrases looked for: once seconds of backtracking.
    const digits = "1".repeat(1 << 20);
    const log = [
      `CUDA out of memory. Tried to allocate 8.00 GiB. ${digits} 40.00 GiB allowed;`,
      `${"A".repeat(1 << 20)} with CUDA capability sm_80 is not compatible`,
      digits,
    ];
    const started = performance.now();
    expect(first(failed(log, { gpu: A100_40 })).code).toBe("GpuOutOfMemory");
    expect(
      first(
        failed([
          ...log.slice(1),
          "RuntimeError: CUDA error: no kernel image is available for execution on the device",
        ]),
      ).code,
    ).toBe("NoKernelImage");
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("whose limit stopped it", () => {
  const stopped = (allowed: string) =>
    `torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 8.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 42.61 GiB is free. ${allowed} allowed; Of the allocated memory 36.00 GiB is allocated by PyTorch.`;

  it("a memory fraction the notebook set is not called Parity's", () => {
    expect(first(failed([stopped("20.00 GiB")], { gpu: A100_40 })).message).toBe(
      "The GPU ran out of memory: PyTorch tried to allocate 8.00 GiB. It stopped at the 20.00 GiB allowed by a memory fraction the notebook set (torch.cuda.set_per_process_memory_fraction), not by Parity; production's NVIDIA-A100-SXM4-40GB has 40 GiB.",
    );
  });

  it("on the cluster it ran on production's GPU itself", () => {
    const line = upstreamQuote("torch-2.4-oom.txt").lines;
    expect(first(failed(line, { gpu: A100_40, onProductionGpu: true })).message).toBe(
      "The GPU ran out of memory: PyTorch tried to allocate 22.78 GiB. It ran on production's NVIDIA-A100-SXM4-40GB itself (40 GiB).",
    );
  });
});

describe("the rest of the GPU stack", () => {
  it("explains 'no kernel image' with the GPU's architecture and the build's", () => {
    const diagnosis = first(failed(upstreamQuote("no-kernel-image.txt").lines));
    expect(diagnosis.code).toBe("NoKernelImage");
    expect(diagnosis.message).toContain(
      "The NVIDIA A100-PCIE-40GB is sm_80; this torch was built for sm_37 sm_50 sm_60 sm_70 sm_75 only.",
    );
  });

  it("sends NCCL's shared memory failure to resources.shm", () => {
    const diagnosis = first(
      failed(upstreamQuote("nccl-shared-memory.txt").lines, { shmBytes: 64 * 1024 ** 2 }),
    );
    expect(diagnosis.code).toBe("NcclSharedMemory");
    expect(diagnosis.message).toContain("(64 MiB here)");
    expect(diagnosis.fix).toContain("resources.shm");
  });

  it("explains another NCCL error with how to see its cause", () => {
    const diagnosis = first(failed(upstreamQuote("nccl-system-error.txt").lines));
    expect(diagnosis).toMatchObject({ code: "NcclError" });
    expect(diagnosis.message).toContain("(unhandled system error)");
    expect(diagnosis.fix).toContain("NCCL_DEBUG");
  });

  it("explains a driver too old for the image's CUDA", () => {
    const line = "RuntimeError: CUDA driver version is insufficient for CUDA runtime version";
    expect(first(failed([line])).code).toBe("CudaDriverTooOld");
  });
});
