import * as vscode from "vscode";
import type { Prediction } from "../../core/preflight";
import { clusterChoice } from "../../services/clusterSettings";
import { registryCredentials as storedCredentials } from "../../services/clusterSecrets";
import type { Services } from "../../services/container";
import { openManifest } from "../cluster/showManifest";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";
import { rerunOptions } from "./rerun";
import { runTracked } from "./trackedRun";

/**
 * Parity: Run on Cluster — the same image and limits as a local run, submitted to the chosen
 * context and namespace: permissions checked and the scheduling predicted before anything is
 * built; a job that would not schedule is submitted only if the user says so. The run is recorded
 * like a local one (target "cluster"), so the Runs view, logs and diagnosis panels follow it.
 * Rerun passes the context and namespace the run went to, and a title that names them.
 */
export async function runOnCluster(services: Services, arg?: unknown, again?: unknown): Promise<void> {
  const rerun = rerunOptions(again);
  requireTrust("deploy");
  const notebookFile = notebookFor(services, arg, "run on the cluster");
  await saveIfDirty(notebookFile);
  const app = await services.app();
  const name = fileName(notebookFile);
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(notebookFile))?.uri.fsPath;
  const profile = folder
    ? await app.profileClusterOf(notebookFile, folder).catch(() => ({ registry: undefined }))
    : {};
  const registryCredentials = await storedCredentials(services.context.secrets, profile.registry);
  const ended = services.clusterStatus.runStarted();
  try {
    await runTracked(services, notebookFile, {
      title: rerun?.title ?? `Parity: ${name} on the cluster`,
      target: "cluster",
      extras: {
        placement: rerun?.placement ?? clusterChoice(),
        registryCredentials,
        confirmUnschedulable: (prediction, manifest) =>
          confirmUnschedulable(prediction, name, () => openManifest(manifest)),
      },
      onStarted: ({ placement }) => {
        if (placement) services.clusterStatus.update(placement);
      },
    });
  } finally {
    ended();
  }
}

/** The preflight's problems, and the choice: submit anyway (it will stay Pending), look at the manifest, or stop. */
async function confirmUnschedulable(
  prediction: Prediction,
  name: string,
  showManifest: () => Promise<void>,
): Promise<boolean> {
  const submit = "Submit Anyway";
  const manifest = "Show Manifest";
  const problems = prediction.problems.filter((problem) => problem.severity !== "info");
  for (;;) {
    const choice = await vscode.window.showWarningMessage(
      `The cluster cannot schedule ${name} as it is: ${problems[0]?.message ?? "no node fits it."}`,
      {
        modal: true,
        detail: [
          ...problems.map((problem) => `• ${problem.message}\n  Fix: ${problem.fix}`),
          "Submitted anyway, the job stays Pending until the cluster changes.",
        ].join("\n"),
      },
      submit,
      manifest,
    );
    if (choice === submit) return true;
    if (choice !== manifest) return false;
    await showManifest();
  }
}
