import type * as vscode from "vscode";
import { registryHost, serverAddressFor } from "../core/registry/reference";

/** Credentials are kept per registry host, with Docker Hub's names folded into one ("myuser/x" → docker.io). */
export { registryHost };

/** What the registry sign-in stores, as H4's deliverImage takes it. */
export interface StoredRegistryCredentials {
  username: string;
  password: string;
  serveraddress: string;
}

const KEY_PREFIX = "parity.registry:";

/** Kept in VS Code's SecretStorage (the OS keychain where there is one); never written to settings or logs. */
export async function storeRegistryCredentials(
  secrets: vscode.SecretStorage,
  credentials: StoredRegistryCredentials,
): Promise<void> {
  const host = registryHost(credentials.serveraddress);
  await secrets.store(
    KEY_PREFIX + host,
    JSON.stringify({ ...credentials, serveraddress: serverAddressFor(host) }),
  );
}

export async function registryCredentials(
  secrets: vscode.SecretStorage,
  registry: string | undefined,
): Promise<StoredRegistryCredentials | undefined> {
  if (!registry) return undefined;
  const stored = await secrets.get(KEY_PREFIX + registryHost(registry));
  if (!stored) return undefined;
  try {
    const parsed = JSON.parse(stored) as Partial<StoredRegistryCredentials>;
    return typeof parsed.username === "string" &&
      typeof parsed.password === "string" &&
      typeof parsed.serveraddress === "string"
      ? { username: parsed.username, password: parsed.password, serveraddress: parsed.serveraddress }
      : undefined;
  } catch {
    return undefined;
  }
}
