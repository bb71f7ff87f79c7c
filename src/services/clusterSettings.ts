import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import * as vscode from "vscode";

/** The context and namespace chosen for this workspace (parity.cluster.*); unset, the profile's are used, then the kubeconfig's. */
export function clusterChoice(): { context?: string; namespace?: string } {
  const config = vscode.workspace.getConfiguration("parity.cluster");
  return {
    context: config.get<string>("context")?.trim() || undefined,
    namespace: config.get<string>("namespace")?.trim() || undefined,
  };
}

/**
 * Remembers a choice for this workspace (its settings; user settings without a folder open).
 * Never the kubeconfig: its current-context stays what kubectl uses.
 */
export async function chooseCluster(key: "context" | "namespace", value: string | undefined): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration("parity.cluster").update(key, value, target);
}

/** A kubeconfig as kubectl finds it: a KUBECONFIG file that exists, else ~/.kube/config. Only checks presence. */
export function kubeconfigExists(env: NodeJS.ProcessEnv): boolean {
  const listed = (env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file !== "");
  const candidates = listed.length > 0 ? listed : [path.join(env.HOME ?? homedir(), ".kube", "config")];
  return candidates.some((file) => existsSync(file));
}

/**
 * Whether a parity.yaml has a top-level cluster section. A look at the text, not a parse: this runs
 * at activation, where the profile parser (dist/services.js) is not loaded.
 */
export function profileHasCluster(file: string): boolean {
  try {
    return /^cluster\s*:/m.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

/**
 * Sets parity.clusterTargetAvailable (Run on Cluster's enablement) when a kubeconfig exists or a
 * profile in the workspace has a cluster section, and keeps it current as profiles change.
 */
export function trackClusterAvailability(): vscode.Disposable {
  const update = async (): Promise<void> => {
    let available = kubeconfigExists(process.env);
    if (!available) {
      const profiles = await vscode.workspace.findFiles(
        "**/parity.{yaml,yml}",
        "**/{node_modules,.git,.venv}/**",
        20,
      );
      available = profiles.some((uri) => profileHasCluster(uri.fsPath));
    }
    await vscode.commands.executeCommand("setContext", "parity.clusterTargetAvailable", available);
  };
  const watcher = vscode.workspace.createFileSystemWatcher("**/parity.{yaml,yml}");
  const later = () => void update();
  void update();
  return vscode.Disposable.from(
    watcher,
    watcher.onDidCreate(later),
    watcher.onDidChange(later),
    watcher.onDidDelete(later),
    vscode.workspace.onDidChangeWorkspaceFolders(later),
  );
}
