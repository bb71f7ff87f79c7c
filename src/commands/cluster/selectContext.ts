import * as vscode from "vscode";
import { chooseCluster, clusterChoice, kubeEnv } from "../../services/clusterSettings";
import type { Services } from "../../services/container";
import { isClusterRow } from "../../views/cluster/clusterRow";

const FROM_PROFILE = "$(discard) Use the profile's or the kubeconfig's";
const SELECT_FILE = "Select Kubeconfig File";

/**
 * Parity: Select Cluster Context — a context from the kubeconfig for this workspace
 * (parity.cluster.context); the kubeconfig itself, and kubectl's current-context, stay as they are.
 */
export async function selectClusterContext(services: Services, arg?: unknown): Promise<void> {
  if (isClusterRow(arg) && arg.choice) return chooseCluster("context", arg.choice);
  const app = await services.app();
  const { contexts, current } = app.kubeContexts(kubeEnv());
  if (contexts.length === 0) {
    const choice = await vscode.window.showWarningMessage(
      "No kubeconfig context found: the parity.cluster.kubeconfig setting, KUBECONFIG or ~/.kube/config names no file that exists, or the file defines no context. Select your kubeconfig file, or add the cluster with your provider's tool (it writes the kubeconfig).",
      SELECT_FILE,
    );
    if (choice) await vscode.commands.executeCommand("parity.selectKubeconfig");
    return;
  }
  const chosen = clusterChoice().context;
  const picked = await vscode.window.showQuickPick(
    [
      ...contexts.map((name) => ({
        label: name,
        description: [name === chosen ? "selected" : "", name === current ? "kubectl's current-context" : ""]
          .filter(Boolean)
          .join(" · "),
      })),
      ...(chosen ? [{ label: FROM_PROFILE, description: "clears the setting" }] : []),
    ],
    { title: "Cluster context for this workspace", placeHolder: "The kubeconfig is not changed" },
  );
  if (!picked) return;
  await chooseCluster("context", picked.label === FROM_PROFILE ? undefined : picked.label);
}
