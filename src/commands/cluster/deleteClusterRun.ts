import { ParityError } from "../../core/errors";
import type { ClusterRunRef } from "../../core/job/types";
import type { Services } from "../../services/container";
import { isClusterRow } from "../../views/cluster/clusterRow";
import { isRunNode } from "../../views/runs/runNode";
import type { RunStop } from "../../app/targets/stop";
import type { RunRef } from "../../app/store";
import { confirmAndStop } from "../support/stopRun";
import { runFor } from "../support/runs";
import { requireTrust } from "../support/targets";
import { workspaceProfile } from "../../services/clusterConnection";

/**
 * Parity: Delete Cluster Run — deletes a run's workload (its pods go with it) the one way every
 * command stops a run (confirmAndStop): a SelfSubjectAccessReview, then in a protected namespace
 * only once its name is typed exactly, elsewhere after a modal confirmation. A Runs row goes
 * through its record (runStop), as Cancel Run does. The run's record and logs stay in the workspace.
 */
export async function deleteClusterRun(services: Services, arg?: unknown): Promise<void> {
  requireTrust("delete");
  const { ref, notebook, recorded } = await workloadOf(services, arg);
  const app = await services.app();
  const context = () => services.workspaceSessionContext(AbortSignal.timeout(30_000));
  const stop: RunStop = recorded
    ? await app.runStop(context, recorded)
    : await workloadStop(services, app, ref, notebook);
  const deleted = await confirmAndStop(services, stop, {
    verb: "Delete",
    detail: "Its pods are deleted with it. The run's record and logs stay in the workspace.",
    progress: `Parity: deleting ${ref.kind} ${ref.name}`,
  });
  if (deleted) services.log(`Deleted ${stop.needed?.what ?? `${ref.kind} ${ref.name}`}.`);
}

/** A workload of the Cluster view that no record here names: deleted as the profile protects it. */
async function workloadStop(
  services: Services,
  app: Awaited<ReturnType<Services["app"]>>,
  ref: ClusterRunRef,
  notebook: string | undefined,
): Promise<RunStop> {
  const profile = await workspaceProfile(services, app, notebook);
  const deletion = await app.deleteWorkload(
    services.workspaceSessionContext(AbortSignal.timeout(30_000)),
    ref,
    { profileProtected: profile.cluster?.protected },
  );
  return { needed: deletion, stop: (answer) => deletion.delete(answer?.typedName) };
}

/** The workload of a Cluster view row, or of a Runs row (read from its record, not from the row). */
async function workloadOf(
  services: Services,
  arg: unknown,
): Promise<{ ref: ClusterRunRef; notebook?: string; recorded?: RunRef }> {
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
  return { ref: run.result.cluster, notebook: run.result.notebook, recorded: run.ref };
}
