import * as vscode from "vscode";
import type { Services } from "../../services/container";

/**
 * Parity: Run on Cluster — shown, disabled (package.json: enablement on the context key
 * parity.clusterTargetAvailable, which nothing sets yet), so the way to production is visible. Run
 * another way (executeCommand, a keybinding) it says it is not available yet, before anything else,
 * and offers the local run, which applies the same limits and checks workspace trust itself.
 */
export async function runOnCluster(services: Services, arg?: unknown): Promise<void> {
  services.log("parity.runOnCluster: the cluster target is not available yet.");
  const runLocally = "Run Locally with Production Limits";
  const choice = await vscode.window.showInformationMessage(
    "Run on Cluster is not available yet: Parity cannot submit jobs to a Kubernetes cluster in this version. Run Locally with Production Limits runs the same image with the same limits on local Docker.",
    runLocally,
  );
  if (choice === runLocally) await vscode.commands.executeCommand("parity.runLocally", arg);
}
