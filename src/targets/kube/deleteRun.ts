import { CustomObjectsApi } from "@kubernetes/client-node";
import type { ClusterRunRef } from "../../core/job/types";
import { workloadResource } from "../../core/manifests";
import { isProtectedNamespace, requireAllowed, requireTypedName } from "./access";
import type { KubeConnection } from "./connection";
import { apiFailure, httpStatus } from "./kubeErrors";

/**
 * Deletes a run's workload (its pods follow, in the background). Checked first: the user may
 * delete it (SelfSubjectAccessReview), and in a protected namespace they typed its name.
 * A workload already gone counts as deleted.
 */
export async function deleteClusterRun(
  conn: KubeConnection,
  ref: ClusterRunRef,
  options: { profileProtected?: boolean; typedName?: string } = {},
): Promise<void> {
  const { group, version, plural } = workloadResource(ref.kind);
  await requireAllowed(conn, [
    { verb: "delete", group, resource: plural, namespace: ref.namespace, name: ref.name },
  ]);
  requireTypedName(
    await isProtectedNamespace(conn, ref.namespace, options.profileProtected),
    ref.name,
    options.typedName,
  );
  try {
    await conn.config.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
      group,
      version,
      namespace: ref.namespace,
      plural,
      name: ref.name,
      propagationPolicy: "Background",
      // The object named in the record, not a later one that reused its name.
      ...(ref.uid ? { body: { preconditions: { uid: ref.uid } } } : {}),
    });
  } catch (error) {
    if (httpStatus(error) === 404) return;
    throw apiFailure(error, conn.target, `delete ${ref.kind} ${ref.name} in ${ref.namespace}`);
  }
}
