import { isCancelled, type ParityError } from "../../core/errors";
import type { KubeConnection } from "./connection";
import type { InformerHealth } from "./informer";
import { apiFailure } from "./kubeErrors";
import { getJson, KubeHttpError } from "./kubeRequest";

/** Worst first: one reconnecting or stale watch is what the user needs to know about. */
const severity: InformerHealth[] = ["reconnecting", "stale", "connecting", "live", "stopped"];

/** The worst of several informers' health; "stopped" when there are none. */
export function worstHealth(states: InformerHealth[]): InformerHealth {
  return severity.find((candidate) => states.includes(candidate)) ?? "stopped";
}

/**
 * One cheap question to the API server (GET /version, which every user may ask): undefined when it
 * answered, with any HTTP status (401 and 403 still prove it is there), else why nobody answered.
 */
export async function probeServer(
  connection: KubeConnection,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ParityError | undefined> {
  try {
    await getJson(connection.config, "/version", options);
    return undefined;
  } catch (error) {
    if (error instanceof KubeHttpError || isCancelled(error)) return undefined;
    // apiFailure gives a ParityError for anything but a cancel, handled above.
    return apiFailure(error, connection.target, "answer GET /version") as ParityError;
  }
}
