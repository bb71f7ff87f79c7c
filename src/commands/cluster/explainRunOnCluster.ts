import * as vscode from "vscode";
import {
  chosenKubeconfig,
  currentKubeconfigPresence,
  kubeconfigCandidates,
  updateClusterAvailability,
} from "../../services/clusterSettings";
import type { Services } from "../../services/container";
import { requireTrust } from "../support/targets";

/*
 * Run on Cluster has an enabled twin for each reason it cannot run (package.json shows one in its
 * place): its title says why on hover, and a click says what to do, with the action that does it.
 */

/**
 * No kubeconfig and no profile with a cluster section, as the toolbar was drawn. Looked at again
 * first: a kubeconfig or profile that appeared since (a watcher that missed it, a file written
 * by a cloud CLI a moment ago) means the run the user asked for.
 */
export async function explainNoCluster(_services: Services, ...args: unknown[]): Promise<void> {
  if (await updateClusterAvailability()) {
    await vscode.commands.executeCommand("parity.runOnCluster", ...args);
    return;
  }
  await warnNoCluster();
}

/** Why Run on Cluster has no cluster, naming the files Parity looked for, with what to do. */
export async function warnNoCluster(): Promise<void> {
  const select = "Select Kubeconfig File";
  const docs = "Open Docs";
  const choice = await vscode.window.showWarningMessage(
    `Run on Cluster needs a cluster, and Parity found none: ${missingKubeconfig()} and no parity.yaml with a cluster section. Select your kubeconfig file, or read how to connect one.`,
    select,
    docs,
  );
  if (choice === select) await vscode.commands.executeCommand("parity.selectKubeconfig");
  if (choice === docs) await vscode.commands.executeCommand("parity.openClusterDocs");
}

/** The kubeconfig files Parity read in vain, and where their names came from. */
function missingKubeconfig(): string {
  const chosen = chosenKubeconfig();
  if (chosen && currentKubeconfigPresence() === "chosenMissing")
    return `the kubeconfig ${chosen}, chosen in the Parity › Cluster: Kubeconfig setting, no longer exists (the setting replaces KUBECONFIG and ~/.kube/config)`;
  const files = kubeconfigCandidates();
  if (process.env.KUBECONFIG)
    return `no kubeconfig (none of the files the KUBECONFIG variable lists exists: ${files.join(", ")})`;
  return `no kubeconfig (KUBECONFIG is not set, and ${files[0]} does not exist)`;
}

/**
 * The cluster's rules, as the Cluster view read them, do not let the user create Jobs in the
 * namespace. The server decides in the end (a rule changed since, a review that read too little):
 * Run Anyway submits, and a refusal is explained as any other.
 */
export async function explainSubmitDenied(services: Services, ...args: unknown[]): Promise<void> {
  const { context, namespace } = services.clusterStatus.state;
  const where = namespace ? `the namespace ${namespace}` : "this namespace";
  const selectNamespace = "Select Namespace";
  const selectContext = "Select Cluster Context";
  const runAnyway = "Run Anyway";
  const choice = await vscode.window.showWarningMessage(
    `You may not create Jobs in ${where}${context ? ` of ${context}` : ""}, as the cluster's rules say, so Run on Cluster would be refused there: ask a cluster admin for a Role that allows creating jobs.batch, or select another namespace or context.`,
    selectNamespace,
    selectContext,
    runAnyway,
  );
  if (choice === selectNamespace) await vscode.commands.executeCommand("parity.selectClusterNamespace");
  if (choice === selectContext) await vscode.commands.executeCommand("parity.selectClusterContext");
  if (choice === runAnyway) await vscode.commands.executeCommand("parity.runOnCluster", ...args);
}

/** Restricted Mode: the refusal Run on Cluster itself gives, with Manage Workspace Trust. */
export async function explainRestricted(_services: Services, ...args: unknown[]): Promise<void> {
  requireTrust("deploy");
  // Trusted since the toolbar was drawn: the run the user asked for.
  await vscode.commands.executeCommand("parity.runOnCluster", ...args);
}
