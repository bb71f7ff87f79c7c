import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { gpuLimitEnv } from "../../../src/core/gpu/runtimeEnv";
import { productionGpuOf } from "../../../src/core/gpu/productionGpu";
import { convertNotebook } from "../../../src/core/notebook";
import { notebookOf } from "../notebook/helpers";

const MIB = 1024 ** 2;
const LIMITS_PY = fileURLToPath(new URL("../../../src/core/gpu/limits.py", import.meta.url));
const A100_40 = productionGpuOf({ product: "NVIDIA-A100-SXM4-40GB" });
const H100_NVML_TOTAL = 81559 * MIB;
/** torch.cuda.get_device_properties(0).total_memory of an H100 80GB HBM3 (CUDA's count, below NVML's). */
const H100_TORCH_TOTAL = 85_031_714_816;

const workDir = mkdtempSync(join(tmpdir(), "parity-gpu-runtime-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function python(script: string, env: Record<string, string>, args: string[] = []) {
  const file = join(mkdtempSync(join(workDir, "run-")), "main.py");
  writeFileSync(file, script);
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(PARITY_|XLA_|TF_|CUDA_VISIBLE)/.test(name)),
  );
  const { stdout } = await promisify(execFile)("python3", [file, ...args], { env: { ...clean, ...env } });
  return stdout;
}

describe("the runtime's GPU limit in a generated script, on this machine without a GPU", () => {
  it("says which GPU checks were skipped, and the notebook runs on", async () => {
    const job = convertNotebook(notebookOf("print('trained')"), "train.ipynb");
    const stdout = await python(job.script, gpuLimitEnv(A100_40));
    expect(stdout).toBe(
      'Parity: no GPU is visible to this run, so its GPU checks were skipped: production\'s NVIDIA-A100-SXM4-40GB (40.0 GiB) memory limit for PyTorch, TensorFlow and JAX, and CUDA itself (running out of GPU memory, "no kernel image", NCCL): these failures of production cannot show here.\ntrained\n',
    );
  });

  it("does nothing where no local run asked for it", async () => {
    const job = convertNotebook(notebookOf("print('trained')"), "train.ipynb");
    expect(await python(job.script, {})).toBe("trained\n");
  });
});

/**
 * A fake of NVIDIA's driver library and of torch.cuda, since no GPU can exist here: limits.py runs
 * as written, module-level guard included, with ctypes.CDLL("libnvidia-ml.so.1") answering from
 * FAKE_GPUS ([name, total bytes, uuid]) in NVML's calling convention, and a torch package whose
 * cuda module records what it is asked. FAKE_NVML breaks it: "memory:<code>" (nvmlDeviceGetMemoryInfo
 * fails so), "missing:<function>", "raise" (an error NVML never raises). The real ones run in
 * test/fixtures/gpu/capture.sh.
 */
const HARNESS = `
import ctypes, json, os, sys, types
gpus, broken = json.loads(os.environ["FAKE_GPUS"]), os.environ.get("FAKE_NVML", "")

def memory(handle, out):
    if broken.startswith("memory:"):
        return int(broken[7:])
    out._obj.total = gpus[handle.value - 1][1]
    return 0

def handle_by_index(index, out):
    out._obj.value = index + 1  # a null handle would read as None
    return 0

def name(handle, buffer, size):
    if broken == "raise":
        raise RuntimeError("the driver went away")
    buffer.value = gpus[handle.value - 1][0].encode()
    return 0

def uuid(handle, buffer, size):
    buffer.value = gpus[handle.value - 1][2].encode()
    return 0

def count(out):
    out._obj.value = len(gpus)
    return 0

nvml = types.SimpleNamespace(
    nvmlInit_v2=lambda: 0, nvmlShutdown=lambda: 0, nvmlDeviceGetCount_v2=count,
    nvmlDeviceGetHandleByIndex_v2=handle_by_index, nvmlDeviceGetMemoryInfo=memory,
    nvmlDeviceGetName=name, nvmlDeviceGetUUID=uuid,
    nvmlErrorString=lambda code: {3: b"Not Supported", 4: b"Insufficient Permissions"}[code],
)
if broken.startswith("missing:"):
    delattr(nvml, broken[8:])
real = ctypes.CDLL
ctypes.CDLL = lambda library, *rest: nvml if library == "libnvidia-ml.so.1" else real(library, *rest)
exec(compile(open(sys.argv[1]).read(), "limits.py", "exec"), {"__name__": "parity_runtime"})
ctypes.CDLL = real
import torch
torch.cuda.start()
print(json.dumps({
    "fractions": torch.cuda.fractions,
    "jax": os.environ.get("XLA_PYTHON_CLIENT_MEM_FRACTION"),
    "tensorflow": os.environ.get("TF_DEVICE_MIN_SYS_MEMORY_IN_MB"),
}))
`;

const FAKE_TORCH_CUDA = `
fractions, queued = [], []
def _lazy_call(call):  # torch queues these until CUDA starts, as _lazy_init runs them
    queued.append(call)
def start():
    for call in queued:
        call()
def device_count():
    return 1
class _Properties:
    total_memory = ${H100_TORCH_TOTAL}
def get_device_properties(index):
    return _Properties()
def set_per_process_memory_fraction(fraction, device):
    fractions.append([fraction, device])
`;

const H100 = "NVIDIA H100 80GB HBM3";
const H100_UUID = "GPU-5e1f0c7a-0d1b-4bd7-9d4a-2a9c2f0f7c11";

async function harness(
  gpus: [string, number, string?][],
  env: Record<string, string> = {},
  { tensorflow = false } = {},
) {
  const site = mkdtempSync(join(workDir, "site-"));
  mkdirSync(join(site, "torch"));
  writeFileSync(join(site, "torch", "__init__.py"), "from . import cuda\n");
  writeFileSync(join(site, "torch", "cuda.py"), FAKE_TORCH_CUDA);
  // Installed, as far as the runtime looks (it imports no framework).
  if (tensorflow) mkdirSync(join(site, "tensorflow"));
  if (tensorflow) writeFileSync(join(site, "tensorflow", "__init__.py"), "");
  const described = gpus.map(([name, total, uuid]) => [name, total, uuid ?? `GPU-${name.length}`]);
  const stdout = await python(
    HARNESS,
    { ...gpuLimitEnv(A100_40), FAKE_GPUS: JSON.stringify(described), PYTHONPATH: site, ...env },
    [LIMITS_PY],
  );
  const lines = stdout.trimEnd().split("\n");
  return { said: lines.slice(0, -1), result: JSON.parse(lines.at(-1)!) };
}

const NOT_SET = { fractions: [], jax: null, tensorflow: null };

describe("the runtime's GPU limit, against a fake GPU", () => {
  it("holds torch, TensorFlow and JAX to production's memory on a larger GPU", async () => {
    const { said, result } = await harness([[H100, H100_NVML_TOTAL]]);
    expect(said[0]).toBe(
      "Parity: GPU memory held to production's NVIDIA-A100-SXM4-40GB (40.0 GiB) on this NVIDIA H100 80GB HBM3 (79.6 GiB) for torch. Running out of production's GPU memory shows here first; the limit is production's total memory as NVIDIA reports it, of which a framework gets somewhat less there (CUDA's own context takes some), so a notebook close to it may still run out in production.",
    );
    // torch: the limit as a share of its own count of the GPU, set when CUDA starts.
    expect(result.fractions).toEqual([[(40960 * MIB) / H100_TORCH_TOTAL, 0]]);
    expect(said[1]).toBe("Parity: torch holds cuda:0 to 40.0 GiB of its 79.2 GiB.");
    // JAX: its default 0.75 of production's GPU, as a share of this one.
    expect(Number(result.jax)).toBeCloseTo((0.75 * 40960) / 81559, 3);
    // TensorFlow: its reserve for an 8.x GPU plus what this GPU has beyond production's.
    expect(result.tensorflow).toBe(String(1536 + 81559 - 40960));
  });

  it("says when TensorFlow's limit holds, where TensorFlow is installed", async () => {
    const { said } = await harness([[H100, H100_NVML_TOTAL]], {}, { tensorflow: true });
    expect(said[0]).toContain(
      "for torch, tensorflow; TensorFlow's limit holds only where the GPU's free memory, as TensorFlow starts on it, is more than the reserve it is given (TF_DEVICE_MIN_SYS_MEMORY_IN_MB, read by TensorFlow 2.5 and newer).",
    );
  });

  it("keeps the notebook's own JAX share and TensorFlow reserve, as production has them", async () => {
    const { result } = await harness([[H100, H100_NVML_TOTAL]], {
      XLA_PYTHON_CLIENT_MEM_FRACTION: "0.9",
      TF_DEVICE_MIN_SYS_MEMORY_IN_MB: "512",
    });
    expect(Number(result.jax)).toBeCloseTo((0.9 * 40960) / 81559, 3);
    expect(result.tensorflow).toBe(String(512 + 81559 - 40960));
  });

  it("leaves a JAX share that is no share alone, and the notebook runs", async () => {
    const shares = ["nan", "inf", "0", "1.5", "half"];
    const runs = await Promise.all(
      shares.map((share) => harness([[H100, H100_NVML_TOTAL]], { XLA_PYTHON_CLIENT_MEM_FRACTION: share })),
    );
    runs.forEach(({ said, result }, index) => {
      expect(result.jax).toBe(shares[index]);
      expect(result.fractions).toHaveLength(1);
      expect(said[0]).toMatch(/^Parity: GPU memory held to /);
    });
  });

  it("says a smaller GPU cannot show production's headroom, and sets no limit", async () => {
    const { said, result } = await harness([["NVIDIA GeForce RTX 4090", 24564 * MIB]]);
    expect(said).toEqual([
      "Parity: this NVIDIA GeForce RTX 4090 (24.0 GiB) has less memory than production's NVIDIA-A100-SXM4-40GB (40.0 GiB), so this run cannot show production's headroom: running out of GPU memory here may not happen there. No GPU memory limit was set.",
    ]);
    expect(result).toEqual(NOT_SET);
  });

  it("needs no limit on production's own card", async () => {
    const { said } = await harness([["NVIDIA A100-SXM4-40GB", 40960 * MIB]]);
    expect(said).toEqual([
      "Parity: this NVIDIA A100-SXM4-40GB (40.0 GiB) has the memory of production's NVIDIA-A100-SXM4-40GB (40.0 GiB): no limit is needed.",
    ]);
  });

  it("sizes JAX and TensorFlow for the largest of several GPUs, and says the smaller get less", async () => {
    const { said, result } = await harness(
      [
        ["NVIDIA L40S", 46068 * MIB],
        [H100, H100_NVML_TOTAL],
      ],
      {},
      { tensorflow: true },
    );
    expect(said[0]).toContain(
      "on these 2 GPUs (the largest NVIDIA H100 80GB HBM3, 79.6 GiB) for torch, tensorflow;",
    );
    expect(said[0]).toContain(
      "; JAX and TensorFlow take one setting for every GPU, sized for the largest, so the smaller get less.",
    );
    expect(Number(result.jax)).toBeCloseTo((0.75 * 40960) / 81559, 3);
    expect(result.tensorflow).toBe(String(1536 + 81559 - 40960));
  });

  it("holds only the GPUs CUDA_VISIBLE_DEVICES names, by index or UUID", async () => {
    const gpus: [string, number, string][] = [
      ["NVIDIA GeForce RTX 4090", 24564 * MIB, "GPU-1111"],
      [H100, H100_NVML_TOTAL, H100_UUID],
    ];
    for (const visible of ["1", H100_UUID.slice(0, 12)]) {
      const { said } = await harness(gpus, { CUDA_VISIBLE_DEVICES: visible });
      expect(said[0]).toContain("on this NVIDIA H100 80GB HBM3 (79.6 GiB)");
    }
    const { said } = await harness(gpus, { CUDA_VISIBLE_DEVICES: "0" });
    expect(said[0]).toContain("this NVIDIA GeForce RTX 4090 (24.0 GiB) has less memory");
  });
});

describe("the runtime's GPU limit where NVML cannot say", () => {
  it("a GPU whose memory NVML will not read is not called absent", async () => {
    const { said, result } = await harness([[H100, H100_NVML_TOTAL]], { FAKE_NVML: "memory:3" });
    expect(said).toEqual([
      "Parity: could not read this run's GPU memory (NVML's nvmlDeviceGetMemoryInfo for GPU 0 failed: Not Supported), so production's NVIDIA-A100-SXM4-40GB (40.0 GiB) memory limit for PyTorch, TensorFlow and JAX was not set.",
    ]);
    expect(result).toEqual(NOT_SET);
  });

  it("a MIG slice in CUDA_VISIBLE_DEVICES is said to be one", async () => {
    const { said } = await harness([[H100, H100_NVML_TOTAL]], {
      CUDA_VISIBLE_DEVICES: "MIG-8a3c2e21-6f4b-5b0e-9c1d-3e4f5a6b7c8d",
    });
    expect(said).toEqual([
      "Parity: could not read this run's GPU memory (this run's GPU is a MIG slice (CUDA_VISIBLE_DEVICES=MIG-8a3c2e21-6f4b-5b0e-9c1d-3e4f5a6b7c8d), whose memory is not read here), so production's NVIDIA-A100-SXM4-40GB (40.0 GiB) memory limit for PyTorch, TensorFlow and JAX was not set.",
    ]);
  });

  it("an NVIDIA library without a function, or one that fails otherwise, is one line and the notebook runs", async () => {
    const missing = await harness([[H100, H100_NVML_TOTAL]], { FAKE_NVML: "missing:nvmlDeviceGetUUID" });
    expect(missing.said).toEqual([
      "Parity: could not read this run's GPU memory (the NVIDIA driver library lacks 'types.SimpleNamespace' object has no attribute 'nvmlDeviceGetUUID'), so production's NVIDIA-A100-SXM4-40GB (40.0 GiB) memory limit for PyTorch, TensorFlow and JAX was not set.",
    ]);
    const raised = await harness([[H100, H100_NVML_TOTAL]], { FAKE_NVML: "raise" });
    expect(raised.said).toEqual([
      "Parity: could not set production's GPU memory limit (RuntimeError: the driver went away); the notebook runs without it.",
    ]);
    expect(raised.result).toEqual(NOT_SET);
  });
});
