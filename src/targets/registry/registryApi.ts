import { CancelledError } from "../../core/errors";
import type { RegistryCredentials } from "./credentials";
import {
  describeNetworkFailure,
  registryPushFailed,
  registryUnauthorized,
  registryUnreachable,
} from "./errors";
import { isLoopbackHost, type RemoteReference } from "../../core/registry/reference";

/** Every manifest kind an engine may have pushed: asking for fewer makes a registry convert or 404. */
const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
].join(", ");
const DEFAULT_TIMEOUT_MS = 10_000;

export interface RegistryRequestOptions {
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface AuthChallenge {
  scheme: "basic" | "bearer" | "other";
  params: Record<string, string>;
}

/**
 * The digest the registry holds for `<repository>:<tag>` (Registry API v2 HEAD), or undefined
 * when it has no such tag. Signs in as the registry asks: Basic, or a Bearer token from its realm.
 */
export async function manifestDigest(
  remote: RemoteReference,
  options: RegistryRequestOptions = {},
): Promise<string | undefined> {
  const scheme = isLoopbackHost(remote.apiHost) ? "http" : "https";
  const url = `${scheme}://${remote.apiHost}/v2/${remote.repository}/manifests/${encodeURIComponent(remote.tag)}`;
  const request = (authorization?: string): Promise<Response> =>
    send(remote.host, url, { method: "HEAD", headers: headers(authorization) }, options);

  let response = await request();
  if (response.status === 401) {
    const challenge = parseChallenge(response.headers.get("www-authenticate") ?? "");
    const authorization = await authorizationFor(challenge, remote.host, options);
    if (!authorization) throw registryUnauthorized(remote.host, false);
    response = await request(authorization);
  }
  if (response.status === 401 || response.status === 403) {
    throw registryUnauthorized(remote.host, options.credentials !== undefined);
  }
  if (response.status === 404) return undefined;
  if (!response.ok) {
    throw registryPushFailed(
      remote.reference,
      `the registry answered HTTP ${response.status} when asked for the manifest.`,
    );
  }
  return response.headers.get("docker-content-digest") ?? undefined;
}

function headers(authorization?: string): Record<string, string> {
  return { Accept: MANIFEST_TYPES, ...(authorization ? { Authorization: authorization } : {}) };
}

/** Reads `Basic realm="x"` or `Bearer realm="https://auth/token",service="s",scope="repository:r:pull"`. */
export function parseChallenge(header: string): AuthChallenge {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  const name = match?.[1]?.toLowerCase() ?? "";
  const params: Record<string, string> = {};
  for (const param of (match?.[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)) {
    params[(param[1] ?? "").toLowerCase()] = param[2] ?? "";
  }
  const scheme = name === "basic" || name === "bearer" ? name : "other";
  return { scheme, params };
}

async function authorizationFor(
  challenge: AuthChallenge,
  host: string,
  options: RegistryRequestOptions,
): Promise<string | undefined> {
  const { credentials } = options;
  const basic = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`
    : undefined;
  if (challenge.scheme === "basic") return basic;
  if (challenge.scheme !== "bearer" || !challenge.params.realm) return undefined;

  // Anonymous tokens are normal (public repositories): the realm decides, not us.
  const tokenUrl = new URL(challenge.params.realm);
  for (const key of ["service", "scope"]) {
    const value = challenge.params[key];
    if (value) tokenUrl.searchParams.set(key, value);
  }
  const response = await send(
    host,
    tokenUrl.toString(),
    { headers: basic ? { Authorization: basic } : {} },
    options,
  );
  if (response.status === 401 || response.status === 403)
    throw registryUnauthorized(host, credentials !== undefined);
  if (!response.ok) {
    throw registryUnreachable(host, `its token service ${tokenUrl.host} answered HTTP ${response.status}`);
  }
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  return token ? `Bearer ${token}` : undefined;
}

/** fetch with a timeout; network failures become RegistryUnreachable, the user's abort CancelledError. */
async function send(
  host: string,
  url: string,
  init: RequestInit,
  options: RegistryRequestOptions,
): Promise<Response> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    return await fetch(url, { ...init, signal, redirect: "follow" });
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    const why = describeNetworkFailure(error, timeoutMs) ?? "the request failed";
    throw registryUnreachable(host, why);
  }
}
