import { diagnoseGpuFailure, isGpuException } from "./gpu";
import type { CodeLocation, Diagnosis, PythonFailure, RunEvidence } from "./types";
import { formatBytes } from "../profile/quantity";
import { plainText } from "../presentation/terminalText";

const NCCL_TIMEOUT =
  /NCCL.*(timeout|Watchdog caught collective operation timeout)|ProcessGroupNCCL.*timed out/i;
/** Above this share of the limit a successful run still gets a warning: production has no headroom. */
const NEAR_LIMIT = 0.9;

/** Turns how a run ended into plain explanations with fixes, most important first. */
export function diagnoseRun(evidence: RunEvidence): Diagnosis[] {
  if (evidence.cancelled) {
    return [
      {
        code: "Cancelled",
        severity: "info",
        message: "The run was cancelled; its container was stopped and removed.",
        fix: "Run it again when ready.",
      },
    ];
  }
  const found: Diagnosis[] = [];
  const limit = formatBytes(evidence.memoryLimitBytes);
  // Matched as the text a terminal shows: a coloured "CUDA out of memory" is found all the same.
  const log = evidence.logTail.map(plainText).join("\n");
  // The GPU's failure comes first only where the exception the run failed with can be it.
  const gpuFailure =
    evidence.exitCode === 0 || (evidence.failure && !isGpuException(evidence.failure))
      ? undefined
      : diagnoseGpuFailure({
          log,
          gpu: evidence.gpu,
          onProductionGpu: evidence.onProductionGpu,
          location: evidence.failure?.location,
          shmBytes: evidence.shmBytes,
        });

  if (evidence.oomKilled) {
    found.push(oomKilledDiagnosis(evidence.memoryLimitBytes, { location: evidence.failure?.location }));
  } else if (gpuFailure) {
    found.push(gpuFailure);
  } else if (evidence.failure) {
    found.push(pythonFailure(evidence.failure, evidence));
  } else if (NCCL_TIMEOUT.test(log)) {
    found.push({
      code: "NcclTimeout",
      severity: "error",
      message: "A collective operation between replicas timed out (NCCL): one replica stopped answering.",
      fix: "Look at the first replica that failed; check that every replica sees the same number of GPUs and can reach the others.",
    });
  } else if (evidence.engineError) {
    found.push({
      code: "ContainerError",
      severity: "error",
      message: `The container could not run: ${evidence.engineError}`,
      fix: "Check the image and the command; build the image again with parity build.",
    });
  } else if (evidence.exitCode === 137) {
    found.push({
      code: "Killed",
      severity: "error",
      message: "The job was killed (signal 9) without the engine reporting an out-of-memory kill.",
      fix: "A process inside the job may have been killed for memory; compare its peak with the limit, or look for a kill in the logs.",
    });
  } else if (evidence.exitCode !== 0) {
    found.push({
      code: "NonZeroExit",
      severity: "error",
      message: `The job exited with code ${evidence.exitCode}.`,
      fix: "Read the end of the logs for the cause.",
    });
  }

  if (!evidence.oomKilled && evidence.peakMemoryBytes && evidence.memoryLimitBytes > 0) {
    const share = evidence.peakMemoryBytes / evidence.memoryLimitBytes;
    if (share >= NEAR_LIMIT) {
      found.push({
        code: "MemoryNearLimit",
        severity: "warning",
        message: `Memory peaked at ${formatBytes(evidence.peakMemoryBytes)} (the kernel's count for the container), ${Math.round(share * 100)}% of the ${limit} limit: a little more data and production kills it.`,
        fix: "Leave headroom: lower the notebook's memory use or raise resources.memory where production allows it.",
      });
    }
  }
  return found;
}

/**
 * An out-of-memory kill, for every target: locally it is what production would do; on the
 * cluster `who` names the replica or pod the kernel killed.
 */
export function oomKilledDiagnosis(
  memoryLimitBytes: number,
  options: { location?: CodeLocation; who?: string } = {},
): Diagnosis {
  const limit = formatBytes(memoryLimitBytes);
  return {
    code: "OOMKilled",
    severity: "error",
    message: options.who
      ? `${options.who} was killed by the out-of-memory killer at its ${limit} memory limit.`
      : `Killed by the out-of-memory killer at the ${limit} memory limit, as production would be.`,
    fix: "Lower what the notebook holds in memory (smaller batches, fewer copies, load data in chunks), or raise resources.memory in parity.yaml if production really allows more.",
    location: options.location,
  };
}

function pythonFailure(failure: PythonFailure, evidence: RunEvidence): Diagnosis {
  const where = failure.location
    ? ` in ${failure.location.cell ? `cell ${failure.location.cell}` : failure.location.file}${failure.location.line ? `, line ${failure.location.line}` : ""}`
    : "";
  const missing = /^No module named '([^'.]+)/.exec(failure.message);
  if (failure.exception === "ModuleNotFoundError" && missing?.[1]) {
    const module = missing[1];
    const distribution = evidence.distributionFor?.(module) ?? module;
    return {
      code: "ModuleNotFound",
      severity: "error",
      message: `The notebook imports ${module}${where}, but the production image does not have it.`,
      fix: `Add ${distribution} to requirements.txt (pinned to the version your notebook uses), then build again.`,
      location: failure.location,
    };
  }
  if (failure.exception === "MemoryError") {
    return {
      code: "PythonMemoryError",
      severity: "error",
      message: `Python could not allocate memory${where} under the ${formatBytes(evidence.memoryLimitBytes)} limit.`,
      fix: "Lower the notebook's memory use, or raise resources.memory in parity.yaml if production allows more.",
      location: failure.location,
    };
  }
  return {
    code: "PythonException",
    severity: "error",
    message: `${failure.exception}: ${failure.message}${where ? ` (raised${where})` : ""}`,
    fix: "Fix the code at that line; it fails the same way in production.",
    location: failure.location,
  };
}
