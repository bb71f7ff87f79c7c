import * as vscode from "vscode";
import type { Prediction } from "../../core/preflight";
import { clusterChoice } from "../../services/clusterSettings";
import { registryCredentials } from "../../services/clusterSecrets";
import type { Services } from "../../services/container";
import { openManifest } from "../cluster/showManifest";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";
import { keepReport, runTracked } from "./trackedRun";

/**
 * Parity: Run on Cluster — the same image and limits as a local run, submitted to the chosen
 * context and namespace: permissions checked and the scheduling predicted before anything is
 * built; a job that would not schedule is submitted only if the user says so. The run is recorded
 * like a local one (target "cluster"), so the Runs view, logs and diagnosis panels follow it.
 */
export async function runOnCluster(services: Services, arg?: unknown): Promise<void> {
  requireTrust("deploy");
  const notebookFile = notebookFor(services, arg, "run on the cluster");
  await saveIfDirty(notebookFile);
  const heavy = await services.heavy();
  const name = fileName(notebookFile);
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(notebookFile))?.uri.fsPath;
  const profile = folder
    ? await heavy.profileClusterOf(notebookFile, folder).catch(() => ({ registry: undefined }))
    : {};
  const credentials = await registryCredentials(services.context.secrets, profile.registry);
  const ended = services.clusterStatus.runStarted();
  try {
    await runTracked(services, notebookFile, {
      title: `Parity: ${name} on the cluster`,
      target: "cluster",
      start: async ({ signal, print }) => {
        const context = services.sessionContext(notebookFile, signal);
        const options = {
          ...clusterChoice(),
          params: [],
          registryCredentials: credentials,
          print,
          onReport: keepReport(services),
        };
        const prepared = await heavy.prepareClusterRun(context, notebookFile, {
          ...options,
          confirmUnschedulable: (prediction, manifest) =>
            confirmUnschedulable(prediction, name, () => openManifest(manifest)),
        });
        services.clusterStatus.update({
          context: prepared.cluster.target.context,
          namespace: prepared.cluster.target.namespace,
        });
        const handle = heavy.startPreparedClusterRun(prepared);
        const { kind, name: workload, namespace } = prepared.spec.ref;
        return {
          handle,
          workspaceDir: prepared.job.workspaceDir,
          startedLine: `Submitted ${kind} ${workload} to ${namespace} as ${handle.runId} (cancel deletes it)`,
        };
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
