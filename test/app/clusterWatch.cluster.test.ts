import { tmpdir } from "node:os";
import { BatchV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { watchCluster, type ClusterWatch } from "../../src/app/cluster/watch";
import { connectCluster } from "../../src/targets/kube/connection";
import { clusterRows } from "../../src/views/cluster/clusterModel";

const cluster = useCluster();
const adminConfig = kubeConfig(cluster.kubeconfigs.admin);
const watches: ClusterWatch[] = [];
afterEach(() => watches.splice(0).forEach((watch) => watch.stop()));

async function watchAs(kubeconfig: string, namespace: string): Promise<ClusterWatch> {
  const connection = await connectCluster({ env: { KUBECONFIG: kubeconfig }, homeDir: tmpdir(), namespace });
  const watch = await watchCluster(connection);
  watches.push(watch);
  return watch;
}

describe("the Cluster view's informers on the test control plane", () => {
  it("list the whole cluster for an admin: GPU nodes, namespaces, and Parity's Job as it completes", async () => {
    const namespace = await freshNamespace(adminConfig, "view");
    const watch = await watchAs(cluster.kubeconfigs.admin, namespace);
    await until("the informers are live", async () =>
      watch.snapshot().health.state === "live" ? true : undefined,
    );
    await adminConfig.makeApiClient(BatchV1Api).createNamespacedJob({
      namespace,
      body: {
        metadata: {
          name: "train-view",
          labels: { "app.kubernetes.io/managed-by": "parity", "parity.dev/run": "r1" },
        },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels: { "parity.dev/run": "r1" } },
            spec: { restartPolicy: "Never", containers: [{ name: "main", image: "parity/none:1" }] },
          },
        },
      },
    });
    // No polling in the view: the informers' events bring the Job and its pod, then its completion.
    const runs = await until(
      "the Job completes in the view",
      async () => {
        const rows = clusterRows({ ...watch.snapshot(), contexts: [] }, Date.now());
        const run = rows.find((row) => row.id === "section/runs")?.children?.[0];
        return run?.description?.startsWith("Succeeded") && run.children?.length ? run : undefined;
      },
      90_000,
    );
    expect(runs.contextValue).toBe("parity:clusterRun+succeeded+Job+parity+canDelete");
    expect(runs.workload).toMatchObject({
      namespace,
      kind: "Job",
      apiVersion: "batch/v1",
      name: "train-view",
    });
    const snapshot = watch.snapshot();
    expect(snapshot.podsScope).toBe("cluster");
    expect(snapshot.namespaces.map((item) => item.metadata?.name)).toContain(namespace);
    const gpus = clusterRows({ ...snapshot, contexts: [] }, Date.now()).find(
      (row) => row.id === "section/gpus",
    )!;
    expect(gpus.children!.map((row) => row.label)).toEqual(["gpu-a100-4", "gpu-h100-8"]);
    expect(gpus.children![1]!.children!.map((row) => row.label)).toContain(
      "nvidia.com/gpu=present:NoSchedule",
    );
  });

  it("fall back to the namespace's pods for a user who may not list the cluster, and offer no delete", async () => {
    const namespace = await freshNamespace(adminConfig, "viewer");
    await adminConfig.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "viewer" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: cluster.restrictedUser }],
      },
    });
    const watch = await until("the view role applies", async () => {
      const candidate = await watchAs(cluster.kubeconfigs.restricted, namespace);
      return candidate.snapshot().canDelete === false && candidate.snapshot().podsScope === "namespace"
        ? candidate
        : undefined;
    });
    await until("the informers are live", async () =>
      watch.snapshot().health.state === "live" ? true : undefined,
    );
    const snapshot = watch.snapshot();
    expect(snapshot.canSubmit).toBe(false);
    expect(snapshot.nodes).toEqual([]);
    expect(snapshot.namespaces.map((item) => item.metadata?.name)).toEqual([namespace]);
    // No nodes because listing them is not allowed, and the snapshot says so: not "0 GPU nodes".
    expect(snapshot.notAllowed?.gpus).toMatch(
      /^You may not list nodes: ask a cluster admin for a ClusterRole/,
    );
    // The view role may list Jobs in its namespace.
    expect(snapshot.notAllowed?.runs).toBeUndefined();
  });

  it("say what a user with no role at all may not list, and that the server answered", async () => {
    const namespace = await freshNamespace(adminConfig, "nobody");
    const watch = await watchAs(cluster.kubeconfigs.restricted, namespace);
    const snapshot = watch.snapshot();
    expect(snapshot.health.state).not.toBe("stopped");
    expect(snapshot.notAllowed).toMatchObject({
      gpus: expect.stringMatching(/may not list nodes/),
      runs: expect.stringMatching(new RegExp(`may not list Jobs in ${namespace}: ask for a Role`)),
    });
  });
});
