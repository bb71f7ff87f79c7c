import { homedir } from "node:os";
import * as vscode from "vscode";
import type { ProfileCluster } from "../app/cluster/contexts";
import type { App } from "./app";
import { clusterChoice, kubeEnv } from "./clusterSettings";
import type { Services } from "./container";

/** The profile that applies to `file` (the active notebook, else the first workspace folder); none when unreadable. */
export async function workspaceProfile(services: Services, app: App, file?: string): Promise<ProfileCluster> {
  // In Restricted Mode a workspace's parity.yaml may not choose which of the user's clusters (and
  // which credential plugin) Parity talks to: the kubeconfig's own current context is used.
  if (!vscode.workspace.isTrusted) return {};
  const start = file ?? services.activeNotebook.file;
  const folder =
    (start && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(start))?.uri.fsPath) ??
    vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) return {};
  return app.profileClusterOf(start ?? folder, folder).catch(() => ({}));
}

/** What connectCluster needs, as this workspace chose it: the settings, then the profile, then the kubeconfig. */
export function connectOptions(
  profile: ProfileCluster,
  override: { context?: string; namespace?: string } = {},
) {
  const choice = clusterChoice();
  return {
    env: kubeEnv(),
    homeDir: process.env.HOME ?? homedir(),
    context: override.context ?? choice.context,
    namespace: override.namespace ?? choice.namespace,
    profileCluster: profile.cluster,
  };
}
