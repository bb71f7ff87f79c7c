import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import { chooseKubeconfig, chosenKubeconfig } from "../../services/clusterSettings";
import type { Services } from "../../services/container";

/**
 * Parity: Select Kubeconfig File — the kubeconfig Parity reads in place of KUBECONFIG and
 * ~/.kube/config, kept in the user's settings (parity.cluster.kubeconfig): a workspace may not
 * choose which credentials Parity uses. A file that cannot be read, is no kubeconfig or defines no
 * context is refused with the reason, and nothing changes.
 */
export async function selectKubeconfig(services: Services): Promise<void> {
  const current = chosenKubeconfig();
  const [picked] =
    (await vscode.window.showOpenDialog({
      title: "Kubeconfig file for Parity",
      openLabel: "Use This Kubeconfig",
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      defaultUri: vscode.Uri.file(current ? path.dirname(current) : startFolder()),
    })) ?? [];
  if (!picked) return;
  const file = picked.fsPath;
  const app = await services.app();
  let read: { contexts: string[]; current?: string };
  try {
    read = app.readKubeContexts({ ...process.env, KUBECONFIG: file });
  } catch (error) {
    // Unreadable or not a kubeconfig: what is wrong with it, not that it "defines no context".
    if (!(error instanceof ParityError)) throw error;
    void vscode.window.showWarningMessage(
      `${error.message.replace(/\.$/, "")}, so Parity cannot use it: pick the kubeconfig your cluster admin or cloud CLI gave you (the setting is unchanged).`,
    );
    return;
  }
  const { contexts, current: currentContext } = read;
  if (contexts.length === 0) {
    void vscode.window.showWarningMessage(
      `${file} defines no context, so Parity cannot use it: pick the kubeconfig your cluster admin or cloud CLI gave you.`,
    );
    return;
  }
  await chooseKubeconfig(file);
  services.log(`Kubeconfig: ${file} (the parity.cluster.kubeconfig user setting).`);
  const context = currentContext
    ? `its current context, ${currentContext}`
    : "no context yet: Select Cluster Context picks one";
  void vscode.window.showInformationMessage(`Parity now reads the kubeconfig ${file}, with ${context}.`);
}

/** Where kubeconfigs are kept: ~/.kube, else the home folder (a user with no ~/.kube yet). */
function startFolder(): string {
  const kube = path.join(homedir(), ".kube");
  return existsSync(kube) ? kube : homedir();
}
