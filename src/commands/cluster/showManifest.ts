import * as vscode from "vscode";
import { clusterChoice } from "../../services/clusterSettings";
import type { Services } from "../../services/container";
import { withCancellableProgress } from "../support/progress";
import { fileName, notebookFor } from "../support/targets";

/**
 * Parity: Show Manifest — the YAML Run on Cluster would submit for the notebook (the Job, or the
 * PyTorchJob/TFJob), in an untitled editor: plain YAML a team could commit. Nothing is built,
 * pushed or submitted.
 */
export async function showManifest(services: Services, arg?: unknown): Promise<void> {
  const notebookFile = notebookFor(services, arg, "show the cluster manifest of");
  const app = await services.app();
  const cluster = app.targetNamed("cluster");
  const yaml = await withCancellableProgress(
    services,
    `Parity: manifest of ${fileName(notebookFile)}`,
    async ({ signal, print }) =>
      (await cluster.manifest?.(services.sessionContext(notebookFile, signal), {
        notebook: notebookFile,
        placement: clusterChoice(),
        params: [],
        print,
      })) ?? "",
  );
  await openManifest(yaml);
}

/** An untitled YAML editor beside the notebook; closing it asks nothing of the user's files. */
export async function openManifest(yaml: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: "yaml", content: yaml });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
}
