import * as vscode from "vscode";
import { chooseCluster, clusterChoice } from "../../services/clusterSettings";
import type { Services } from "../../services/container";
import { isClusterRow } from "../../views/cluster/clusterRow";
import { withCancellableProgress } from "../support/progress";
import { connectOptions, workspaceProfile } from "../../services/clusterConnection";

const FROM_PROFILE = "$(discard) Use the profile's or the context's";

const SOURCE_WORDS: Record<string, string> = {
  option: "selected for this workspace",
  profile: "from parity.yaml",
  kubeconfig: "from the kubeconfig context",
  default: "the default",
};

/**
 * Parity: Select Namespace — one of the namespaces the user may list on the chosen context, or
 * typed when listing them is not allowed; kept for this workspace (parity.cluster.namespace).
 */
export async function selectClusterNamespace(services: Services, arg?: unknown): Promise<void> {
  if (isClusterRow(arg) && arg.choice) return chooseCluster("namespace", arg.choice);
  const app = await services.app();
  const choice = clusterChoice();
  const { namespaces, current } = await withCancellableProgress(
    services,
    "Parity: listing namespaces",
    async ({ signal }) => {
      const profile = await workspaceProfile(services, app);
      const connection = await app.connectCluster({ ...connectOptions(profile), signal });
      return {
        namespaces: await app.listNamespaces(connection, signal),
        current: { name: connection.target.namespace, source: connection.target.source.namespace },
      };
    },
  );
  const picked = namespaces
    ? (
        await vscode.window.showQuickPick(
          [
            ...namespaces.map((name) => ({
              label: name,
              // The namespace in use now, wherever it comes from (this setting, parity.yaml, the context).
              description: name === current.name ? `current (${SOURCE_WORDS[current.source]})` : "",
              picked: name === current.name,
            })),
            ...(choice.namespace ? [{ label: FROM_PROFILE, description: "clears the setting" }] : []),
          ],
          { title: "Namespace for this workspace" },
        )
      )?.label
    : await vscode.window.showInputBox({
        title: "Namespace for this workspace",
        prompt: "You may not list namespaces on this cluster: type the one you work in.",
        value: choice.namespace,
        validateInput: (value) =>
          /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) && value.length <= 63
            ? undefined
            : "A namespace name: lowercase letters, digits and '-', at most 63 characters.",
      });
  if (picked === undefined) return;
  await chooseCluster("namespace", picked === FROM_PROFILE ? undefined : picked);
}
