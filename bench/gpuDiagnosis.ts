// Diagnosing a failed run's log whose lines are a megabyte long (a dumped array, a progress bar
// without new lines) next to the phrases the GPU diagnosis looks for. Each line is read around
// those phrases only, so the time should stay about that of scanning the text once.
// Usage: node scripts/run-ts.mjs bench/gpuDiagnosis.ts
import { diagnoseGpuFailure } from "../src/core/diagnosis/gpu";
import { median } from "./timing";

const MIB = 1 << 20;
const LOGS: Record<string, string> = {
  "1 MiB of digits inside PyTorch's out-of-memory line": `torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 8.00 GiB. ${"1".repeat(MIB)} 40.00 GiB allowed;`,
  "1 MiB before PyTorch's architecture warning": `${"A".repeat(MIB)} with CUDA capability sm_80 is not compatible with the current PyTorch installation.\nRuntimeError: CUDA error: no kernel image is available for execution on the device`,
  "1 MiB lines and no GPU failure": Array.from({ length: 8 }, () => "7".repeat(MIB)).join("\n"),
};

for (const [name, log] of Object.entries(LOGS)) {
  const ms = median(() => diagnoseGpuFailure({ log }), 9);
  console.log(
    `gpu diagnosis, ${name} (${(log.length / MIB).toFixed(1)} MiB): ${ms.toFixed(1)} ms (median of 9)`,
  );
}
