import * as vscode from "vscode";
import type { Services } from "../../services/container";
import { requireTrust } from "../support/targets";

/**
 * Parity: Run on Cluster — shown so the way to production is visible, but the cluster target has
 * not landed yet: the command says so and offers the local run, which applies the same limits.
 */
export async function runOnCluster(services: Services, arg?: unknown): Promise<void> {
  requireTrust("deploy");
  const runLocally = "Run Locally with Production Limits";
  const choice = await vscode.window.showInformationMessage(
    "Run on Cluster is not available yet: Parity cannot submit jobs to a Kubernetes cluster in this version. Run Locally with Production Limits runs the same image with the same limits on local Docker.",
    runLocally,
  );
  if (choice === runLocally) await vscode.commands.executeCommand("parity.runLocally", arg);
  services.log("parity.runOnCluster: the cluster target is not available yet.");
}
