import * as vscode from "vscode";
import { registryHost, storeRegistryCredentials } from "../../services/clusterSecrets";
import type { Services } from "../../services/container";

/**
 * Parity: Sign In to Registry — a user name and password (or token) for the registry cluster
 * images are pushed to, kept in VS Code's SecretStorage and used by Run on Cluster before the
 * docker config's. Never written to settings or logs.
 */
export async function signInToRegistry(services: Services, arg?: unknown): Promise<void> {
  const suggested = typeof arg === "string" ? arg : await profileRegistry(services);
  const host = await vscode.window.showInputBox({
    title: "Sign in to a registry (1/3)",
    prompt: "The registry's host, as image.registry in parity.yaml starts (host[:port]).",
    value: suggested ? registryHost(suggested) : undefined,
    ignoreFocusOut: true,
    validateInput: (value) =>
      /^[a-z0-9.-]+(:\d+)?$/i.test(value.trim()) ? undefined : "A host name, with a port if it needs one.",
  });
  if (!host) return;
  const username = await vscode.window.showInputBox({
    title: `Sign in to ${host} (2/3)`,
    prompt: "User name",
    ignoreFocusOut: true,
  });
  if (!username) return;
  const password = await vscode.window.showInputBox({
    title: `Sign in to ${host} (3/3)`,
    prompt: `Password or access token for ${username}`,
    password: true,
    ignoreFocusOut: true,
  });
  if (!password) return;
  await storeRegistryCredentials(services.context.secrets, {
    username,
    password,
    serveraddress: host.trim(),
  });
  services.log(
    `Registry credentials for ${host.trim()} (user ${username}) kept in VS Code's secret storage.`,
  );
  void vscode.window.showInformationMessage(
    `Parity signs in to ${host.trim()} as ${username} when it pushes cluster images.`,
  );
}

async function profileRegistry(services: Services): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) return undefined;
  const app = await services.app();
  const profile = await app
    .profileClusterOf(services.activeNotebook.file ?? folder, folder)
    .catch(() => ({ registry: undefined }));
  return profile.registry;
}
