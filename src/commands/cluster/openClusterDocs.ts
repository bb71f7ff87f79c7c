import * as vscode from "vscode";
import type { Services } from "../../services/container";

/** The README's section on connecting a cluster, as the markdown preview names its heading. */
const CLUSTER_SECTION = "on-a-cluster";

/** Packaged, the README is readme.md (vsce renames it); run from the repository, README.md. */
const README_NAMES = ["readme.md", "README.md"];

/**
 * Parity: Open Cluster Docs — the README shipped with the extension, in VS Code's markdown
 * preview, scrolled to how Parity finds a kubeconfig, a context and a namespace.
 */
export async function openClusterDocs(services: Services): Promise<void> {
  for (const name of README_NAMES) {
    const readme = vscode.Uri.joinPath(services.context.extensionUri, name);
    const found = await vscode.workspace.fs.stat(readme).then(
      () => true,
      () => false,
    );
    if (found) {
      await vscode.commands.executeCommand(
        "markdown.showPreview",
        readme.with({ fragment: CLUSTER_SECTION }),
      );
      return;
    }
  }
  throw new Error(`The extension's README is missing from ${services.context.extensionUri.fsPath}.`);
}
