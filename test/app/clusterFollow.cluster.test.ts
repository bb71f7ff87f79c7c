import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { followCluster, type FollowedCluster } from "../../src/app/cluster/follow";
import { healthWords, type ClusterSnapshot } from "../../src/core/cluster/snapshot";
import { clusterRows } from "../../src/views/cluster/clusterModel";
import { writeKubeconfig } from "../cluster/harness/kubeconfig";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { Relay } from "../cluster/harness/relay";

const cluster = useCluster();
const adminConfig = kubeConfig(cluster.kubeconfigs.admin);
const adminToken = adminConfig.getCurrentUser()!.token!;
const home = mkdtempSync(path.join(tmpdir(), "parity-follow-"));
const relays: Relay[] = [];
const followed: FollowedCluster[] = [];
afterEach(async () => {
  followed.splice(0).forEach((each) => each.stop());
  for (const relay of relays.splice(0)) await relay.refuse();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function relay(): Promise<Relay> {
  const opened = await Relay.open(cluster.server);
  relays.push(opened);
  return opened;
}

/** Writes the kubeconfig as kubectl and editors do: a new file renamed over the old one. */
function writeAdminKubeconfig(file: string, server: string): void {
  const next = `${file}.tmp`;
  writeKubeconfig(next, server, cluster.caFile, "parity-admin", adminToken);
  renameSync(next, file);
}

/** Follows the cluster `file` chooses, keeping every snapshot it reports. */
function follow(file: string, namespace: string): { cluster: FollowedCluster; seen: ClusterSnapshot[] } {
  const following = followCluster({ env: { KUBECONFIG: file }, homeDir: home, namespace });
  followed.push(following);
  const seen: ClusterSnapshot[] = [];
  following.onChange(() => seen.push(following.snapshot()));
  return { cluster: following, seen };
}

const liveWithNodes = (following: FollowedCluster, server: string) => async () => {
  const snapshot = following.snapshot();
  return snapshot.server === server && snapshot.health.state === "live" && snapshot.nodes.length > 0
    ? snapshot
    : undefined;
};

describe("the Cluster view's connection on the test control plane", () => {
  it("follows a kubeconfig rewritten to a moved cluster without a refresh, dropping the old address's objects", async () => {
    const namespace = await freshNamespace(adminConfig, "moved");
    const [before, after] = [await relay(), await relay()];
    const file = path.join(mkdtempSync(path.join(home, "kube-")), "config");
    writeAdminKubeconfig(file, before.url);
    const { cluster: following, seen } = follow(file, namespace);
    await until("live at the first address", liveWithNodes(following, before.url), 30_000);

    // The cluster moves: its old address goes dead, and the kubeconfig names the new one.
    await before.refuse();
    writeAdminKubeconfig(file, after.url);
    const moved = await until("live at the new address", liveWithNodes(following, after.url), 15_000);
    expect(moved.namespace).toBe(namespace);
    expect(moved.contexts).toEqual(["parity-test-parity-admin"]);

    // Between the two, the old address's pods and nodes were never shown as the new cluster's.
    const first = seen.findIndex((snapshot) => snapshot.server === after.url);
    expect(seen[first]).toMatchObject({ health: { state: "connecting" }, pods: [], nodes: [] });
    // Nor as current once the old address stopped answering: unreachable shows only the context.
    for (const snapshot of seen.slice(0, first).filter((each) => each.health.state === "unreachable"))
      expect(clusterRows(snapshot, Date.now()).map((row) => row.id)).toEqual(["section/context"]);
  });

  it("shows a refused connection within 5 s, aged from the loss, and comes back by itself", async () => {
    const namespace = await freshNamespace(adminConfig, "outage");
    const server = await relay();
    const file = path.join(mkdtempSync(path.join(home, "kube-")), "config");
    writeAdminKubeconfig(file, server.url);
    const { cluster: following } = follow(file, namespace);
    await until("live", liveWithNodes(following, server.url), 30_000);

    const cut = Date.now();
    await server.refuse();
    const down = await until(
      "unreachable",
      async () => {
        const snapshot = following.snapshot();
        return snapshot.health.state === "unreachable" ? snapshot : undefined;
      },
      10_000,
    );
    expect(Date.now() - cut).toBeLessThan(5_000);
    const lostAt = down.health.lostAt!;
    expect(lostAt).toBeGreaterThanOrEqual(cut);
    expect(down.health.error).toContain("refused the connection");
    // A 28-second outage reads 28 s, whenever the last event came.
    expect(healthWords(down.health, lostAt + 28_000)).toBe("unreachable for 28 s");
    const rows = clusterRows(down, lostAt + 28_000);
    expect(rows.map((row) => row.id)).toEqual(["section/context"]);
    expect(rows[0]!.description).toBe(`${namespace} · unreachable for 28 s`);

    await server.restore();
    const back = await until("live again", liveWithNodes(following, server.url), 15_000);
    expect(back.health.lostAt).toBeUndefined();
  });

  it("shows a connection whose packets are dropped within 5 s", async () => {
    const namespace = await freshNamespace(adminConfig, "dropped");
    const server = await relay();
    const file = path.join(mkdtempSync(path.join(home, "kube-")), "config");
    writeAdminKubeconfig(file, server.url);
    const { cluster: following } = follow(file, namespace);
    await until("live", liveWithNodes(following, server.url), 30_000);

    const cut = Date.now();
    server.drop();
    const down = await until(
      "unreachable",
      async () => {
        const snapshot = following.snapshot();
        return snapshot.health.state === "unreachable" ? snapshot : undefined;
      },
      10_000,
    );
    expect(Date.now() - cut).toBeLessThan(5_000);
    expect(down.health.error).toContain("did not answer");
    expect(down.health.lostAt! - cut).toBeLessThan(5_000);
  });
});
