import { ParityError, isCancelled } from "../../core/errors";
import { KubeHttpError, KubeTimeoutError } from "./kubeRequest";

/** Enough of a connection to name it in a message. */
export interface TargetNames {
  context: string;
  server: string;
  /** The exec credential plugin the user runs, if any: a failure that is not HTTP or network is its. */
  authPlugin?: string;
}

const tlsCodes = new Set([
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Why nobody answered at `server`, as one sentence; undefined when `error` is not a network failure. */
export function networkFailure(error: unknown, target: TargetNames): ParityError | undefined {
  const fix = `Check that the cluster is running and that context ${target.context} points at the right server (kubectl cluster-info --context ${target.context}); a VPN or tunnel may be needed.`;
  const unreachable = (why: string) =>
    new ParityError(
      "ClusterUnreachable",
      `The API server ${target.server} (context ${target.context}) ${why}.`,
      {
        fix,
        cause: error,
      },
    );
  if (error instanceof KubeTimeoutError) {
    return unreachable(`did not answer within ${duration(error.timeoutMs)} (connection timed out)`);
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string") return undefined;
  if (code === "ECONNREFUSED")
    return unreachable("refused the connection: nothing listens at that address and port");
  if (code === "ETIMEDOUT")
    return unreachable(
      "did not answer (connection timed out): a firewall or a missing VPN drops the packets",
    );
  if (code === "ECONNRESET" || code === "EPIPE") return unreachable("closed the connection before answering");
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return unreachable("cannot be reached from this machine (no route to the host)");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return unreachable("has a host name that does not resolve");
  if (tlsCodes.has(code)) {
    return new ParityError(
      "ClusterUnreachable",
      `The API server ${target.server} (context ${target.context}) presented a certificate this kubeconfig does not trust (${code}).`,
      {
        fix: `Update certificate-authority(-data) of the cluster in your kubeconfig (your cluster admin has the current CA).`,
        cause: error,
      },
    );
  }
  return undefined;
}

/** HTTP status of an API failure, from client-node's ApiException or our own requests. */
export function httpStatus(error: unknown): number | undefined {
  if (error instanceof KubeHttpError) return error.status;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

export function unauthorized(target: TargetNames, error?: unknown): ParityError {
  return new ParityError(
    "ClusterUnauthorized",
    `The API server ${target.server} did not accept the credentials of context ${target.context} (401 Unauthorized).`,
    {
      fix: "Log in again or refresh the token in your kubeconfig (an expired token is the usual cause).",
      cause: error,
    },
  );
}

/** Any failure of a call made while `doing` something, as a ParityError (cancellation passes through). */
export function apiFailure(error: unknown, target: TargetNames, doing: string): unknown {
  if (error instanceof ParityError || isCancelled(error)) return error;
  const network = networkFailure(error, target);
  if (network) return network;
  const status = httpStatus(error);
  if (status === 401) return unauthorized(target, error);
  const said = statusMessage(error);
  // An admission webhook's refusal (KServe's own validation, a policy engine) is a 403 too.
  if (status === 403 && said && /admission webhook|denied the request/i.test(said)) {
    return new ParityError("AdmissionDenied", `The cluster refused to ${doing}: ${said}`, {
      fix: "Change what the message names; it is the cluster's own rule (an admission webhook), not a missing permission.",
      cause: error,
    });
  }
  if (status === 409 && said) {
    return new ParityError("ConflictingChange", `The cluster could not ${doing}: ${said}`, {
      fix: "Someone changed it meanwhile: run the command again, which reads it afresh.",
      cause: error,
    });
  }
  if (status === 422 && said) {
    return new ParityError("InvalidObject", `The cluster refused to ${doing}: ${said}`, {
      fix: "Correct the field the message names.",
      cause: error,
    });
  }
  if (status === 403) {
    return new ParityError("Forbidden", `You are not allowed to ${doing} (context ${target.context}).`, {
      fix: "Ask a cluster admin for a Role that allows it, or choose another namespace.",
      cause: error,
    });
  }
  const detail = (error instanceof Error ? error.message : String(error)).trim();
  if (target.authPlugin && status === undefined) {
    // Not HTTP, not network: client-node failed before sending, running the credential plugin.
    const said = detail.split("\n")[0] ?? "";
    return new ParityError(
      "ClusterAuthFailed",
      `The credential plugin ${target.authPlugin} (context ${target.context}) failed${said ? `: ${said}` : ""}.`,
      {
        fix: `Run ${target.authPlugin} yourself to see its error (an expired login is the usual cause), then try again.`,
        cause: error,
      },
    );
  }
  return new ParityError(
    "ClusterRequestFailed",
    `The API server ${target.server} failed to ${doing}: ${detail}.`,
    {
      fix: "Try again; if it persists, look at the API server's health (kubectl get --raw /readyz).",
      cause: error,
    },
  );
}

/** The API server's own sentence in a failed call's Status body, where it sent one. */
function statusMessage(error: unknown): string | undefined {
  const body = (error as { body?: unknown }).body;
  try {
    const parsed = (typeof body === "string" ? JSON.parse(body) : body) as { message?: unknown } | undefined;
    return typeof parsed?.message === "string" && parsed.message.trim() !== ""
      ? parsed.message.trim()
      : undefined;
  } catch {
    return undefined;
  }
}

/** "10 s", "500 ms" */
export function duration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
