import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { CancelledError } from "../../core/errors";

/** An HTTP answer other than 2xx from the API server, with its Status body when it sent one. */
export class KubeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(statusMessage(status, body));
    this.name = "KubeHttpError";
  }
}

/** Reading the kubeconfig's files or running its exec credential plugin failed: nothing was sent. */
export class CredentialsError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "CredentialsError";
  }
}

/** The request did not answer within its deadline. */
export class KubeTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "KubeTimeoutError";
  }
}

/**
 * GET a JSON document from the current context's API server with its credentials (token, client
 * certificate or exec plugin), a deadline and a cancel signal. Used for /version and for the
 * informer's lists, whose path is generic (any group, version and resource).
 */
export async function getJson<T>(
  config: KubeConfig,
  apiPath: string,
  options: { query?: Record<string, string | undefined>; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<T> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const url = new URL(cluster.server + apiPath);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  const requestOptions: https.RequestOptions = {};
  try {
    await config.applyToHTTPSOptions(requestOptions);
  } catch (error) {
    throw new CredentialsError(error);
  }
  const send = url.protocol === "http:" ? http.request : https.request;
  return new Promise<T>((resolve, reject) => {
    const request = send(url, {
      ...requestOptions,
      method: "GET",
      headers: { ...requestOptions.headers, Accept: "application/json" },
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => request.destroy(new KubeTimeoutError(options.timeoutMs!)), options.timeoutMs);
    const onAbort = () => request.destroy(new CancelledError());
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    request.on("error", (error) => {
      settle();
      reject(error);
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => {
        settle();
        reject(error);
      });
      response.on("end", () => {
        settle();
        const body = Buffer.concat(chunks).toString("utf8");
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) return reject(new KubeHttpError(status, body));
        try {
          resolve(JSON.parse(body) as T);
        } catch {
          reject(new KubeHttpError(status, body));
        }
      });
    });
    if (options.signal?.aborted) onAbort();
    request.end();
  });
}

function statusMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === "string") return `HTTP ${status}: ${parsed.message}`;
  } catch {
    // Not a Status object: the status code says enough.
  }
  return `HTTP ${status}`;
}
