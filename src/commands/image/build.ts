import * as vscode from "vscode";
import type { Services } from "../../services/container";
import { withCancellableProgress } from "../support/progress";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";

/** Parity: Build Image — production's image with the notebook's code, built when it changed. */
export async function buildImage(services: Services, arg?: unknown): Promise<void> {
  requireTrust("build");
  const notebookFile = notebookFor(services, arg, "build");
  await saveIfDirty(notebookFile);
  const app = await services.app();
  const { built } = await withCancellableProgress(
    services,
    `Parity: building the image of ${fileName(notebookFile)}`,
    ({ signal, print }) =>
      app.buildNotebook(services.sessionContext(notebookFile, signal), notebookFile, { print }),
  );
  const how = built.upToDate ? "is up to date" : `was built in ${(built.durationMs / 1000).toFixed(1)} s`;
  void vscode.window.showInformationMessage(`The image ${built.tag} ${how}.`);
}
