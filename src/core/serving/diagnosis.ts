import type { Diagnosis } from "../diagnosis/types";
import { diagnoseRun } from "../diagnosis/diagnose";
import { formatBytes } from "../profile/quantity";
import { plainText } from "../presentation/terminalText";

/** What an endpoint's end says, as a run's would, in words about serving. */
export interface EndpointEvidence {
  exitCode: number;
  oomKilled: boolean;
  memoryLimitBytes: number;
  engineError?: string;
  logTail: string[];
  /** Whether it had answered (ready) before it ended: an OOM under load, not at load. */
  wasReady: boolean;
}

/** The line Parity's server prints once the model is loaded (server.py). */
const LOADED = /^parity: model \S+ loaded$/;

/**
 * Why an endpoint ended by itself: a run's diagnosis (an OOM kill, a traceback, the engine's
 * error), with an OOM placed (loading the model, or serving requests) and its fix about the
 * endpoint's own limit, `serving.resources.memory`.
 */
export function diagnoseEndpoint(evidence: EndpointEvidence): Diagnosis[] {
  const loaded = evidence.wasReady || evidence.logTail.some((line) => LOADED.test(plainText(line).trim()));
  return diagnoseRun({ ...evidence, cancelled: false }).map((item) => {
    if (item.code !== "OOMKilled") return item;
    const limit = formatBytes(evidence.memoryLimitBytes);
    return {
      ...item,
      message: loaded
        ? `The model server was killed by the out-of-memory killer at the ${limit} memory limit while serving requests, as production's would be.`
        : `The model server was killed by the out-of-memory killer at the ${limit} memory limit while loading the model, as production's would be.`,
      fix: loaded
        ? "Requests need more memory than the limit leaves (large batches, many at once): send smaller batches, or raise serving.resources.memory in parity.yaml if production allows more."
        : "KServe's server takes about 210 MiB before the model, and loading takes about the model file's size again: raise serving.resources.memory in parity.yaml (production's InferenceService gets the same limit).",
    };
  });
}
