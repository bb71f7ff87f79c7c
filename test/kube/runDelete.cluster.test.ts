import { BatchV1Api, CoreV1Api, RbacAuthorizationV1Api, type V1Job } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { ClusterRunRef } from "../../src/core/job/types";
import { startClusterRun } from "../../src/app/targets/cluster/runs";
import { deleteClusterRun } from "../../src/targets/kube/deleteRun";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context.js";
import { connect, jobSpec, limits, runSpec } from "./helpers/clusterRuns";

const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const core = admin.makeApiClient(CoreV1Api);
const batch = admin.makeApiClient(BatchV1Api);

const jobExists = async (namespace: string, name: string) =>
  (await batch.listNamespacedJob({ namespace })).items.some((j) => j.metadata?.name === name);

/** A run's Job as the run would have created it (from the manifest), and its reference. */
async function submittedRun(namespace: string, runId: string): Promise<ClusterRunRef> {
  const conn = await connect(cluster.kubeconfigs.admin, namespace);
  const spec = runSpec(conn, jobSpec(runId), { runId });
  const job = await batch.createNamespacedJob({ namespace, body: spec.workload as V1Job });
  return { ...spec.ref, uid: job.metadata?.uid };
}

describe("deleteClusterRun", () => {
  let protectedNs = "";
  beforeAll(async () => {
    protectedNs = await freshNamespace(admin, "prod");
    await core.patchNamespace({
      name: protectedNs,
      body: [{ op: "add", path: "/metadata/labels/parity.dev~1protected", value: "true" }],
    });
  });

  it("in a protected namespace deletes only when the run's name is typed", async () => {
    const ref = await submittedRun(protectedNs, "guarded-1");
    const conn = await connect(cluster.kubeconfigs.admin, protectedNs);
    await expect(deleteClusterRun(conn, ref)).rejects.toMatchObject({
      code: "ConfirmationRequired",
      message: "guarded-1 is in a protected namespace: type its name to confirm.",
    });
    await expect(deleteClusterRun(conn, ref, { typedName: "guarded" })).rejects.toMatchObject({
      code: "ConfirmationRequired",
    });
    expect(await jobExists(protectedNs, "guarded-1")).toBe(true);

    await deleteClusterRun(conn, ref, { typedName: "guarded-1" });
    await until("Job guarded-1 gone", async () =>
      (await jobExists(protectedNs, "guarded-1")) ? undefined : true,
    );
    // Deleting again is not an error: the run is gone either way.
    await deleteClusterRun(conn, ref, { typedName: "guarded-1" });
  });

  it("in an ordinary namespace deletes at once, but the profile's protected flag asks for the name", async () => {
    const plain = await freshNamespace(admin, "dev");
    const ref = await submittedRun(plain, "free-1");
    const conn = await connect(cluster.kubeconfigs.admin, plain);
    await expect(deleteClusterRun(conn, ref, { profileProtected: true })).rejects.toMatchObject({
      code: "ConfirmationRequired",
    });
    await deleteClusterRun(conn, ref);
    await until("Job free-1 gone", async () => ((await jobExists(plain, "free-1")) ? undefined : true));
  });

  it("refuses a user who may not delete the workload, before asking for a name", async () => {
    const ref = await submittedRun(protectedNs, "kept-1");
    // The restricted user may read jobs here, but not delete them.
    await admin.makeApiClient(RbacAuthorizationV1Api).createNamespacedRole({
      namespace: protectedNs,
      body: {
        metadata: { name: "job-reader" },
        rules: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] }],
      },
    });
    await admin.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
      namespace: protectedNs,
      body: {
        metadata: { name: "job-reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "job-reader" },
        subjects: [{ kind: "User", name: cluster.restrictedUser, apiGroup: "rbac.authorization.k8s.io" }],
      },
    });
    const conn = await connect(cluster.kubeconfigs.restricted, protectedNs);
    await expect(deleteClusterRun(conn, ref, { typedName: "kept-1" })).rejects.toMatchObject({
      code: "Forbidden",
      message: expect.stringContaining(`delete jobs.batch`),
    });
    expect(await jobExists(protectedNs, "kept-1")).toBe(true);
  });

  it("ends a run that is being followed as cancelled when its workload is deleted from elsewhere", async () => {
    const plain = await freshNamespace(admin, "dev");
    const conn = await connect(cluster.kubeconfigs.admin, plain);
    const spec = runSpec(conn, jobSpec("stuck", limits({ gpu: 16 })), { runId: "stuck-1" });
    const handle = startClusterRun(conn, spec, "stuck-1");
    await until("Job stuck-1", async () => ((await jobExists(plain, "stuck-1")) ? true : undefined));
    const job = await batch.readNamespacedJob({ name: "stuck-1", namespace: plain });
    await deleteClusterRun(conn, { ...spec.ref, uid: job.metadata?.uid });
    const result = await handle.result;
    expect(result.status).toBe("cancelled");
    expect(result.diagnosis[0]?.code).toBe("Cancelled");
  });
});
