import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CoreV1Api, type V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectCluster, type KubeConnection } from "../../src/targets/kube/connection";
import {
  createInformer,
  type Informer,
  type InformerChange,
  type InformerHealth,
  type InformerOptions,
} from "../../src/targets/kube/informer";
import { restartComponent } from "../cluster/harness/cluster";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";

const cluster = useCluster();
const adminConfig = kubeConfig(cluster.kubeconfigs.admin);
const core = adminConfig.makeApiClient(CoreV1Api);
const home = mkdtempSync(path.join(tmpdir(), "parity-kube-home-"));
let conn: KubeConnection;
const running: Informer<V1ConfigMap>[] = [];

beforeAll(async () => {
  conn = await connectCluster({ env: { KUBECONFIG: cluster.kubeconfigs.admin }, homeDir: home });
});
afterEach(() => {
  for (const informer of running.splice(0)) informer.stop();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A started informer on a namespace's ConfigMaps, recording every change and health it reports. */
function watchConfigMaps(namespace: string, options: InformerOptions = {}) {
  const informer = createInformer<V1ConfigMap>(
    conn,
    { path: `/api/v1/namespaces/${namespace}/configmaps` },
    options,
  );
  running.push(informer);
  const changes: InformerChange<V1ConfigMap>[] = [];
  const health: InformerHealth[] = [];
  informer.onChange((change) => changes.push(change));
  informer.onHealth((state) => health.push(state));
  informer.start();
  return { informer, changes, health };
}

const said = (changes: InformerChange<V1ConfigMap>[]) =>
  changes.map((c) =>
    `${c.type}${c.object ? ` ${c.object.metadata?.name} ${c.object.data?.lr ?? ""}` : ""}`.trim(),
  );
const names = (informer: Informer<V1ConfigMap>) =>
  informer
    .items()
    .map((item) => item.metadata?.name)
    .sort();
const configMap = (namespace: string, name: string, lr?: string) =>
  core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: lr ? { lr } : {} } });

describe("informer (list then watch)", () => {
  it("lists, then sees objects added, modified and deleted", async () => {
    const namespace = await freshNamespace(adminConfig, "informer");
    await configMap(namespace, "existing", "1");
    const { informer, changes, health } = watchConfigMaps(namespace);
    await until("live", async () => (informer.health === "live" ? true : undefined), 20_000);
    await configMap(namespace, "params", "0.1");
    await core.replaceNamespacedConfigMap({
      name: "params",
      namespace,
      body: { metadata: { name: "params" }, data: { lr: "0.01" } },
    });
    await core.deleteNamespacedConfigMap({ name: "params", namespace });
    await until(
      "deleted seen",
      async () => (changes.some((c) => c.type === "deleted") ? true : undefined),
      20_000,
    );
    const own = changes.filter(
      (c) => c.type === "synced" || ["existing", "params"].includes(c.object?.metadata?.name ?? ""),
    );
    expect(said(own)).toEqual([
      "added existing 1",
      "synced",
      "added params 0.1",
      "modified params 0.01",
      "deleted params 0.01",
    ]);
    expect(health).toEqual(["connecting", "live"]);
    expect(informer.get(namespace, "existing")?.data?.lr).toBe("1");
    expect(informer.get(namespace, "params")).toBeUndefined();
    expect(informer.items().every((item) => item.kind === "ConfigMap" && item.apiVersion === "v1")).toBe(
      true,
    );

    informer.stop();
    informer.stop();
    expect(informer.health).toBe("stopped");
    const seen = changes.length;
    await configMap(namespace, "after-stop");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(changes).toHaveLength(seen);
  });

  it("reports stale when the watch is quiet past its deadline, then restarts the watch", async () => {
    const namespace = await freshNamespace(adminConfig, "quiet");
    const { informer, health } = watchConfigMaps(namespace, { staleAfterMs: 1_500 });
    await until(
      "stale, then live again",
      async () => (health.slice(2).includes("live") ? true : undefined),
      20_000,
    );
    expect(health.slice(0, 4)).toEqual(["connecting", "live", "stale", "live"]);
    // Still watching after the restart.
    await configMap(namespace, "late");
    await until("late seen", async () => (informer.get(namespace, "late") ? true : undefined), 20_000);
    informer.stop();
  });

  it("survives an apiserver restart: reconnecting, then live, with nothing lost", async () => {
    const namespace = await freshNamespace(adminConfig, "restart");
    await configMap(namespace, "before");
    await configMap(namespace, "doomed");
    const { informer, health } = watchConfigMaps(namespace, { backoff: { initialMs: 200, maxMs: 2_000 } });
    await until("live", async () => (informer.health === "live" ? true : undefined), 20_000);

    await restartComponent(cluster, "kube-apiserver");
    await until(
      "the informer is live again",
      async () => (health.includes("reconnecting") && informer.health === "live" ? true : undefined),
      60_000,
    );
    expect(informer.attempt).toBe(0);
    expect(health.indexOf("reconnecting")).toBeGreaterThan(health.indexOf("live"));
    expect(health.at(-1)).toBe("live");

    await configMap(namespace, "after");
    await core.deleteNamespacedConfigMap({ name: "doomed", namespace });
    await until(
      "after seen and doomed gone",
      async () => (informer.get(namespace, "after") && !informer.get(namespace, "doomed") ? true : undefined),
      20_000,
    );
    expect(names(informer)).toEqual(["after", "before", "kube-root-ca.crt"]);
  });
  it("re-lists after 410 Gone when it resumes from a resourceVersion that is too old", async () => {
    const namespace = await freshNamespace(adminConfig, "gone");
    await configMap(namespace, "real", "1");
    // A restarted apiserver's watch cache starts at the current resourceVersion: "1" is then too old
    // (before a restart the cache of a young cluster still reaches back that far).
    await restartComponent(cluster, "kube-apiserver");
    const ghost = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "ghost", namespace, resourceVersion: "1" },
    };
    const { informer, changes, health } = watchConfigMaps(namespace, {
      initial: { items: [ghost], resourceVersion: "1" },
    });
    expect(names(informer)).toEqual(["ghost"]);
    await until(
      "synced after 410",
      async () => (changes.some((c) => c.type === "synced") ? true : undefined),
      20_000,
    );
    expect(
      said(changes.filter((c) => c.type === "synced" || c.object?.metadata?.name !== "kube-root-ca.crt")),
    ).toEqual(["deleted ghost", "added real 1", "synced"]);
    expect(names(informer)).toEqual(["kube-root-ca.crt", "real"]);
    await until("live", async () => (informer.health === "live" ? true : undefined), 20_000);
    expect(health).not.toContain("reconnecting");
  });
});
