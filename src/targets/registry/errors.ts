import { ParityError } from "../../core/errors";
import type { RegistryCredentials } from "./credentials";

/** The failures a delivery can end with, worded once for the Registry API and the engine's push. */
export function registryUnauthorized(host: string, withCredentials: boolean): ParityError {
  const what = withCredentials
    ? `The registry ${host} refused the credentials Parity has for it.`
    : `The registry ${host} needs you to sign in, and Parity has no credentials for it.`;
  return new ParityError("RegistryUnauthorized", what, {
    fix: `Run \`docker login ${host}\`, or store credentials with the "Parity: Sign In to Registry" command, and try again.`,
  });
}

export function registryUnreachable(host: string, why: string): ParityError {
  return new ParityError("RegistryUnreachable", `The registry ${host} cannot be reached: ${why}.`, {
    fix: `Check that ${host} is the right address in image.registry and that the registry is running and reachable from this machine.`,
    location: { field: "image.registry" },
  });
}

export function registryPushFailed(reference: string, sentence: string): ParityError {
  return new ParityError("RegistryPushFailed", `Pushing ${reference} failed: ${sentence}`, {
    fix: "Check the registry's message above; once it is fixed, run again (layers already pushed are kept).",
  });
}

/** How a network failure reads to a person ("connection refused", "no answer within 10 s"). */
export function describeNetworkFailure(error: unknown, timeoutMs?: number): string | undefined {
  const texts: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    texts.push(`${(current as NodeJS.ErrnoException).code ?? ""} ${current.name} ${current.message}`);
  }
  const text = texts.join(" ");
  if (/ECONNREFUSED|connection refused/i.test(text)) return "connection refused (nothing listens there)";
  if (/TimeoutError|ETIMEDOUT|i\/o timeout|timed out|deadline exceeded/i.test(text)) {
    return timeoutMs ? `no answer within ${Math.round(timeoutMs / 1000)} s` : "the connection timed out";
  }
  if (/ENOTFOUND|EAI_AGAIN|no such host/i.test(text)) return "its name does not resolve";
  if (/ECONNRESET|EHOSTUNREACH|ENETUNREACH|network is unreachable|no route to host/i.test(text)) {
    return "the network connection failed";
  }
  if (/certificate|x509|TLS|SSL/i.test(text)) return "its TLS certificate is not trusted";
  return undefined;
}

/**
 * A registry's or engine's sentence with any form of the credentials blanked out. Registries do
 * not echo passwords, but the sentence goes to the user and logs, so it is never trusted to.
 */
export function redact(text: string, credentials: RegistryCredentials | undefined): string {
  if (!credentials) return text;
  const secrets = [
    credentials.password,
    Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64"),
    encodeURIComponent(credentials.password),
  ].filter((secret) => secret.length > 0);
  return secrets.reduce((result, secret) => result.split(secret).join("***"), text);
}
