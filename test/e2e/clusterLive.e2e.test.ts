import { BatchV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { describe, expect, inject, test } from "vitest";
import { freshNamespace, kubeConfig } from "../cluster/harness/context";
import { openVsCode } from "./harness/session";
import type { Workbench } from "./harness/workbench";

/** A Job as Parity submits one, suspended (its controller makes no pods), and pods it owns that no scheduler picks up. */
async function parityJobWithPods(
  admin: KubeConfig,
  namespace: string,
  job: string,
  pods: string[],
): Promise<void> {
  const created = await admin.makeApiClient(BatchV1Api).createNamespacedJob({
    namespace,
    body: {
      metadata: {
        name: job,
        labels: { "app.kubernetes.io/managed-by": "parity", "parity.dev/run": "e2e-live" },
      },
      spec: {
        suspend: true,
        template: {
          spec: { restartPolicy: "Never", containers: [{ name: "main", image: "parity/none:1" }] },
        },
      },
    },
  });
  const owner = { apiVersion: "batch/v1", kind: "Job", name: job, uid: created.metadata!.uid! };
  for (const name of pods) await createPod(admin, namespace, name, owner);
}

async function createPod(
  admin: KubeConfig,
  namespace: string,
  name: string,
  owner: { apiVersion: string; kind: string; name: string; uid: string },
): Promise<void> {
  await admin.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace,
    body: {
      metadata: { name, ownerReferences: [owner] },
      spec: { schedulerName: "parity-e2e-none", containers: [{ name: "main", image: "parity/none:1" }] },
    },
  });
}

/** The row's description, e.g. "Pending" for a pod not scheduled. */
async function description(workbench: Workbench, label: string): Promise<string> {
  const text = await workbench
    .treeRow("Cluster", label)
    .first()
    .innerText({ timeout: 1000 })
    .catch(() => "");
  return text.replace(/\s+/g, " ").trim().slice(label.length).trim();
}

describe("the Cluster view follows the cluster", () => {
  test("a pod's change shows in its row, and pods that come and go in their Job's, without a refresh", async (context) => {
    const cluster = inject("parityCluster");
    const admin = kubeConfig(cluster.kubeconfigs.admin);
    const namespace = await freshNamespace(admin, "e2e-live");
    await parityJobWithPods(admin, namespace, "live-job", ["live-pod-0", "live-pod-1"]);
    const { workbench } = await openVsCode(context, {
      name: "cluster-live",
      env: { KUBECONFIG: cluster.kubeconfigs.admin },
      settings: { "parity.cluster.namespace": namespace },
    });
    await workbench.openParityView();
    // A tree draws only the rows that fit: the Cluster view gets the room.
    for (const view of ["Environment", "Runs", "Pipelines", "Experiments", "Endpoints"])
      await workbench.collapseView(view);
    await workbench.expandView("Cluster");
    const job = workbench.treeRow("Cluster", "live-job").first();
    await job.waitFor({ timeout: 60_000 });
    await job.click();
    await expect.poll(() => description(workbench, "live-pod-0"), { timeout: 30_000 }).toBe("Pending");
    expect(await description(workbench, "live-pod-1")).toBe("Pending");

    // What a kubelet reports when the containers start: the row says it, its Job stays open.
    const core = admin.makeApiClient(CoreV1Api);
    await core.patchNamespacedPodStatus(
      { name: "live-pod-0", namespace, body: [{ op: "replace", path: "/status/phase", value: "Running" }] },
      undefined,
    );
    await expect.poll(() => description(workbench, "live-pod-0"), { timeout: 10_000 }).toBe("Running");
    expect(await description(workbench, "live-pod-1")).toBe("Pending");
    await workbench.screenshot("cluster-pod-running");

    await core.deleteNamespacedPod({ name: "live-pod-1", namespace, gracePeriodSeconds: 0 });
    await expect.poll(() => workbench.treeRow("Cluster", "live-pod-1").count(), { timeout: 10_000 }).toBe(0);
    const uid = (await admin.makeApiClient(BatchV1Api).readNamespacedJob({ name: "live-job", namespace }))
      .metadata!.uid!;
    await createPod(admin, namespace, "live-pod-2", {
      apiVersion: "batch/v1",
      kind: "Job",
      name: "live-job",
      uid,
    });
    await expect.poll(() => description(workbench, "live-pod-2"), { timeout: 10_000 }).toBe("Pending");
    expect(await description(workbench, "live-pod-0")).toBe("Running");
  }, 180_000);
});
