import * as vscode from "vscode";
import { chooseCluster, clusterChoice } from "../../services/clusterSettings";
import type { Services } from "../../services/container";
import { isClusterRow } from "../../views/cluster/clusterRow";

const FROM_PROFILE = "$(discard) Use the profile's or the kubeconfig's";

/**
 * Parity: Select Cluster Context — a context from the kubeconfig for this workspace
 * (parity.cluster.context); the kubeconfig itself, and kubectl's current-context, stay as they are.
 */
export async function selectClusterContext(services: Services, arg?: unknown): Promise<void> {
  if (isClusterRow(arg) && arg.choice) return chooseCluster("context", arg.choice);
  const app = await services.app();
  const { contexts, current } = app.kubeContexts(process.env);
  if (contexts.length === 0) {
    void vscode.window.showWarningMessage(
      "No kubeconfig context found: KUBECONFIG names no file that exists, or ~/.kube/config is missing or empty. Add the cluster with your provider's tool (it writes the kubeconfig), then try again.",
    );
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
