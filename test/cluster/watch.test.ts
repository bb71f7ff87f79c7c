import { CoreV1Api, makeInformer, Watch, type V1ConfigMap } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { restartComponent } from "./harness/cluster.js";
import { isOurs } from "./harness/processes.js";
import { freshNamespace, kubeConfig, until, useCluster } from "./harness/context.js";

const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
const core = config.makeApiClient(CoreV1Api);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(config, "watch");
});

describe("watches", () => {
  it("sees a ConfigMap added, modified and deleted", async () => {
    const seen: string[] = [];
    const request = await new Watch(config).watch(
      `/api/v1/namespaces/${namespace}/configmaps`,
      {},
      (phase, object: V1ConfigMap) => {
        if (object.metadata?.name === "params") seen.push(`${phase} ${object.data?.lr ?? ""}`);
      },
      () => undefined,
    );
    try {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: "params" }, data: { lr: "0.1" } },
      });
      await core.replaceNamespacedConfigMap({
        name: "params",
        namespace,
        body: { metadata: { name: "params" }, data: { lr: "0.01" } },
      });
      await core.deleteNamespacedConfigMap({ name: "params", namespace });
      await until("three events", async () => (seen.length >= 3 ? true : undefined), 20_000);
      expect(seen).toEqual(["ADDED 0.1", "MODIFIED 0.01", "DELETED 0.01"]);
    } finally {
      request.abort();
    }
  });

  it("resumes an informer's watch after the apiserver restarts", async () => {
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    const informer = makeInformer(config, path, () => core.listNamespacedConfigMap({ namespace }));
    const added: string[] = [];
    let errors = 0;
    let stopped = false;
    informer.on("add", (object) => added.push(object.metadata?.name ?? ""));
    // The documented recovery: an informer stops on a connection error; start it again.
    informer.on("error", () => {
      errors += 1;
      if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 500);
    });
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "before" } } });
      await until("before seen", async () => (added.includes("before") ? true : undefined), 20_000);

      const before = cluster.components.find((c) => c.name === "kube-apiserver");
      await restartComponent(cluster, "kube-apiserver");
      const after = cluster.components.find((c) => c.name === "kube-apiserver");
      // Stopped by its pid and started again: the old process is gone, a new one serves.
      expect(before && isOurs(before)).toBe(false);
      expect(after && isOurs(after)).toBe(true);
      expect(after?.pid).not.toBe(before?.pid);

      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "after" } } });
      await until("after seen", async () => (added.includes("after") ? true : undefined), 60_000);
      expect(added.filter((name) => name === "before")).toHaveLength(1);
      expect(errors).toBeGreaterThan(0);
    } finally {
      stopped = true;
      await informer.stop();
    }
  });
});
