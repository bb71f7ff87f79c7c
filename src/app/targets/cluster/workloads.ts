import { homedir } from "node:os";
import { ParityError } from "../../../core/errors";
import type { ClusterRunRef } from "../../../core/job/types";
import { isProtectedNamespace } from "../../../targets/kube/access";
import { connectCluster, type KubeConnection } from "../../../targets/kube/connection";
import { currentWorkload } from "../../../targets/kube/attachRun";
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

/** Where a recorded run's workload is now: the same server, or the same workload at a new address. */
export interface RunConnection {
  conn: KubeConnection;
  /** The run's context now points at another server, where the very same workload (its uid) runs. */
  movedFrom?: string;
}

/**
 * A connection to the cluster a run ran on, through the run's own context. A run is followed on
 * the cluster it ran on, and the same context name may point at another cluster now: when the
 * server differs, it is the same cluster only if the workload there has the uid the run recorded
 * (the cluster moved: a new address or CA in the same kubeconfig). Otherwise ClusterMismatch.
 */
export async function connectWhereItRuns(
  context: SessionContext,
  runId: string,
  ref: ClusterRunRef,
): Promise<RunConnection> {
  const conn = await connectToCluster(context, ref);
  if (conn.target.server === ref.server) return { conn };
  const workload = ref.uid ? await currentWorkload(conn, ref) : undefined;
  if (workload && workload.metadata?.uid === ref.uid) return { conn, movedFrom: ref.server };
  throw new ParityError(
    "ClusterMismatch",
    `Run ${runId} ran on ${ref.server} (context ${ref.context}), not on ${conn.target.server}${ref.uid ? `, which has no ${ref.kind} ${ref.namespace}/${ref.name} with the run's uid` : ""}.`,
    { fix: `Follow it with context ${ref.context}, or one that points at ${ref.server}.` },
  );
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
  // The cluster the run went to, at its new address too when it moved (the same workload, by uid).
  const { conn } = await connectWhereItRuns(context, ref.name, ref).catch((error: unknown) => {
    if (!(error instanceof ParityError) || error.code !== "ClusterMismatch") throw error;
    throw new ParityError(
      "ClusterChanged",
      `Context ${ref.context} no longer points at ${ref.server}, where ${ref.kind} ${ref.name} was submitted; nothing was deleted.`,
      {
        fix: "Delete it with kubectl against the cluster it runs on, or restore the context in your kubeconfig.",
        cause: error,
      },
    );
  });
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
