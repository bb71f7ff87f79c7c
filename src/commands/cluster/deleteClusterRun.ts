import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { ClusterRunRef } from "../../core/job/types";
import type { Services } from "../../services/container";
import { isClusterRow } from "../../views/cluster/clusterRow";
import { isRunNode } from "../../views/runs/runNode";
import { withCancellableProgress } from "../support/progress";
import { runFor } from "../support/runs";
import { requireTrust } from "../support/targets";
import { connectOptions, workspaceProfile } from "../../services/clusterConnection";

/**
 * Parity: Delete Cluster Run — deletes a run's workload (its pods go with it) after a
 * SelfSubjectAccessReview; in a protected namespace only once its name is typed exactly, elsewhere
 * after a modal confirmation. The run's record and logs stay in the workspace.
 */
export async function deleteClusterRun(services: Services, arg?: unknown): Promise<void> {
  requireTrust("delete");
  const { ref, notebook } = await workloadOf(services, arg);
  const heavy = await services.heavy();
  const profile = await workspaceProfile(services, heavy, notebook);
  const connection = await heavy.connectCluster({
    ...connectOptions(profile, { context: ref.context, namespace: ref.namespace }),
    signal: AbortSignal.timeout(30_000),
  });
  if (connection.target.server !== ref.server) {
    throw new ParityError(
      "ClusterChanged",
      `Context ${ref.context} now points at ${connection.target.server}, not at ${ref.server} where ${ref.kind} ${ref.name} was submitted; nothing was deleted.`,
      {
        fix: "Delete it with kubectl against the cluster it runs on, or restore the context in your kubeconfig.",
      },
    );
  }
  const profileProtected = profile.cluster?.protected;
  const isProtected = await heavy.isProtectedNamespace(connection, ref.namespace, profileProtected);
  const what = `${ref.kind} ${ref.name} in ${ref.namespace} (context ${ref.context})`;
  let typedName: string | undefined;
  if (isProtected) {
    typedName = await vscode.window.showInputBox({
      title: `Delete ${what}`,
      prompt: `${ref.namespace} is a protected namespace: type ${ref.name} to delete it and its pods.`,
      placeHolder: ref.name,
      ignoreFocusOut: true,
      validateInput: (value) => (value === ref.name ? undefined : `Type ${ref.name} exactly.`),
    });
    if (typedName === undefined) return;
  } else {
    const remove = "Delete";
    const choice = await vscode.window.showWarningMessage(
      `Delete ${what}?`,
      {
        modal: true,
        detail: "Its pods are deleted with it. The run's record and logs stay in the workspace.",
      },
      remove,
    );
    if (choice !== remove) return;
  }
  await withCancellableProgress(services, `Parity: deleting ${ref.kind} ${ref.name}`, () =>
    heavy.deleteClusterRun(connection, ref, { profileProtected, typedName }),
  );
  services.log(`Deleted ${what}.`);
}

/** The workload of a Cluster view row, or of a Runs row (read from its record, not from the row). */
async function workloadOf(
  services: Services,
  arg: unknown,
): Promise<{ ref: ClusterRunRef; notebook?: string }> {
  if (isClusterRow(arg) && arg.workload) {
    const { context, server, namespace, kind, apiVersion, name, uid } = arg.workload;
    return { ref: { context, server, namespace, kind, apiVersion, name, uid } };
  }
  if (!isRunNode(arg) && arg !== undefined) {
    throw new ParityError(
      "NotAClusterRun",
      "Delete Cluster Run works on a run of the Runs or Cluster view.",
      {
        fix: "Right-click the run in the Runs or Cluster view.",
      },
    );
  }
  const run = await runFor(services, arg, "delete");
  if (!run.result.cluster) {
    throw new ParityError(
      "NotAClusterRun",
      `The run ${run.ref.runId} ran on local Docker: there is nothing to delete on a cluster.`,
      {
        fix: "Use Remove Run to delete its record.",
      },
    );
  }
  return { ref: run.result.cluster, notebook: run.result.notebook };
}
