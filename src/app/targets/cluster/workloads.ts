import { homedir } from "node:os";
import { ParityError } from "../../../core/errors";
import type { ClusterRunRef } from "../../../core/job/types";
import { isProtectedNamespace } from "../../../targets/kube/access";
import { connectCluster, type KubeConnection } from "../../../targets/kube/connection";
import { deleteClusterRun } from "../../../targets/kube/deleteRun";
import type { SessionContext } from "../../context";
import type { ConfirmationNeeded } from "../target";

/** A connection to where a run went: its own context and namespace, whatever is selected now. */
export async function connectToCluster(
  context: SessionContext,
  where: { context?: string; namespace?: string },
): Promise<KubeConnection> {
  return connectCluster({
    env: context.env,
    homeDir: context.env.HOME ?? homedir(),
    context: where.context,
    namespace: where.namespace,
    signal: context.signal,
  });
}

/** A workload about to be deleted: what it is, whether its name must be typed, and the deletion itself. */
export interface WorkloadDeletion extends ConfirmationNeeded {
  /** Deletes it (its pods follow): permitted (SelfSubjectAccessReview), and typed where protected. */
  delete(typedName?: string): Promise<void>;
}

/**
 * The deletion of a run's workload, checked before the user is asked: the context still points at
 * the cluster the run went to, and whether the namespace is protected (its label, or the profile's
 * `cluster.protected`), in which case its name must be typed.
 */
export async function deleteWorkload(
  context: SessionContext,
  ref: ClusterRunRef,
  options: { profileProtected?: boolean } = {},
): Promise<WorkloadDeletion> {
  const conn = await connectToCluster(context, ref);
  if (conn.target.server !== ref.server) {
    throw new ParityError(
      "ClusterChanged",
      `Context ${ref.context} now points at ${conn.target.server}, not at ${ref.server} where ${ref.kind} ${ref.name} was submitted; nothing was deleted.`,
      {
        fix: "Delete it with kubectl against the cluster it runs on, or restore the context in your kubeconfig.",
      },
    );
  }
  const isProtected = await isProtectedNamespace(conn, ref.namespace, options.profileProtected);
  return {
    ...workloadConfirmation(ref, isProtected),
    delete: (typedName) =>
      deleteClusterRun(conn, ref, { profileProtected: options.profileProtected, typedName }),
  };
}

/** What deleting a workload asks: a yes, or in a protected namespace its name typed exactly. */
export function workloadConfirmation(
  ref: Pick<ClusterRunRef, "kind" | "name" | "namespace" | "context">,
  isProtected: boolean,
): ConfirmationNeeded {
  return {
    what: `${ref.kind} ${ref.name} in ${ref.namespace} (context ${ref.context})`,
    ...(isProtected ? { typeToConfirm: ref.name, why: `${ref.namespace} is a protected namespace` } : {}),
  };
}
