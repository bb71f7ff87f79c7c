import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import * as vscode from "vscode";
import { kubeconfigFiles } from "../core/cluster/kubeconfigFiles";
import {
  clusterSetup,
  kubeconfigPresence,
  type ClusterSetup,
  type KubeconfigPresence,
} from "../core/cluster/setup";
import type { ClusterSnapshot } from "../core/cluster/snapshot";
import { userScopedValue } from "./settings";

/** The user setting naming the kubeconfig file Parity reads in place of KUBECONFIG. */
export const KUBECONFIG_SETTING = "parity.cluster.kubeconfig";

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

/**
 * The kubeconfig file chosen in the user's settings (Select Kubeconfig File); a workspace's own
 * value is ignored, as for every setting that says what Parity connects to.
 */
export function chosenKubeconfig(): string | undefined {
  const inspected = vscode.workspace.getConfiguration("parity.cluster").inspect<string>("kubeconfig");
  const value = userScopedValue(inspected)?.trim();
  return value ? expandHome(value) : undefined;
}

/** "~" and "~/…" as a shell reads them: the setting is typed by hand as often as picked. */
function expandHome(file: string): string {
  if (file === "~") return homedir();
  return file.startsWith("~/") ? path.join(homedir(), file.slice(2)) : file;
}

/** The environment the cluster's connections read: the chosen kubeconfig, when there is one, in place of KUBECONFIG. */
export function kubeEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const file = chosenKubeconfig();
  return file ? { ...base, KUBECONFIG: file } : base;
}

/** Remembers the kubeconfig file for every workspace (user settings: a workspace may not choose it). */
export async function chooseKubeconfig(file: string | undefined): Promise<void> {
  await vscode.workspace
    .getConfiguration("parity.cluster")
    .update("kubeconfig", file, vscode.ConfigurationTarget.Global);
}

/** parity.cluster.setup as last said. */
let publishedSetup: ClusterSetup | undefined;

/**
 * Says what the Cluster view's snapshot lacks (parity.cluster.setup, which picks the view's welcome
 * content in package.json) and returns it: the view shows no rows unless it is "ready".
 */
export function publishClusterSetup(snapshot: ClusterSnapshot): ClusterSetup {
  const setup = clusterSetup(snapshot, currentKubeconfigPresence);
  // Looked at with every event (a kubeconfig removed under a chosen context), said when it changes.
  if (setup !== publishedSetup)
    void vscode.commands.executeCommand("setContext", "parity.cluster.setup", setup);
  publishedSetup = setup;
  return setup;
}

/** The files the cluster's connections would read, in order (the chosen one alone, when there is one). */
export function kubeconfigCandidates(env: NodeJS.ProcessEnv = kubeEnv()): string[] {
  return kubeconfigFiles({ env, homeDir: env.HOME ?? homedir() });
}

/** Whether the chosen kubeconfig, else one kubectl would read, exists. Only checks presence. */
export function currentKubeconfigPresence(): KubeconfigPresence {
  return kubeconfigPresence(chosenKubeconfig(), kubeconfigCandidates(), existsSync);
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
 * Whether Run on Cluster has somewhere to go: a kubeconfig exists, or a profile in the workspace
 * has a cluster section.
 */
export async function clusterTargetAvailable(): Promise<boolean> {
  if (currentKubeconfigPresence() === "found") return true;
  const profiles = await vscode.workspace.findFiles(
    "**/parity.{yaml,yml}",
    "**/{node_modules,.git,.venv}/**",
    20,
  );
  return profiles.some((uri) => profileHasCluster(uri.fsPath));
}

/** Publishes parity.clusterTargetMissing as it stands now, and returns whether a cluster is available. */
export async function updateClusterAvailability(): Promise<boolean> {
  const available = await clusterTargetAvailable();
  await vscode.commands.executeCommand("setContext", "parity.clusterTargetMissing", !available);
  return available;
}

/**
 * Sets parity.clusterTargetMissing when no kubeconfig exists and no profile in the workspace has a
 * cluster section, and keeps it current as profiles, the kubeconfig files and the chosen kubeconfig
 * change: Run on Cluster's place then holds the twin that says why it cannot run (package.json).
 * Unset until the extension has looked, so Run on Cluster itself shows, and explains on a click if
 * need be.
 */
export function trackClusterAvailability(): vscode.Disposable {
  const later = () => void updateClusterAvailability();
  const profiles = vscode.workspace.createFileSystemWatcher("**/parity.{yaml,yml}");
  let kubeconfigs = watchKubeconfigFiles(later);
  void updateClusterAvailability();
  return vscode.Disposable.from(
    profiles,
    profiles.onDidCreate(later),
    profiles.onDidChange(later),
    profiles.onDidDelete(later),
    vscode.workspace.onDidChangeWorkspaceFolders(later),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(KUBECONFIG_SETTING)) return;
      // Another file chosen: the watchers follow it.
      kubeconfigs.dispose();
      kubeconfigs = watchKubeconfigFiles(later);
      later();
    }),
    { dispose: () => kubeconfigs.dispose() },
  );
}

/**
 * Watches the kubeconfig files Parity would read, wherever they are (outside the workspace too): a
 * kubeconfig saved, or removed, changes whether there is a cluster without any other event.
 */
function watchKubeconfigFiles(onChange: () => void): vscode.Disposable {
  const watchers = kubeconfigCandidates().map((file) =>
    vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)),
    ),
  );
  return vscode.Disposable.from(
    ...watchers.flatMap((watcher) => [
      watcher,
      watcher.onDidCreate(onChange),
      watcher.onDidChange(onChange),
      watcher.onDidDelete(onChange),
    ]),
  );
}
