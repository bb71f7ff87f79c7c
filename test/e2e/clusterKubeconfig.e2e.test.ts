import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { freshNamespace, kubeConfig } from "../cluster/harness/context";
import { writeKubeconfig } from "../cluster/harness/kubeconfig";
import { Relay } from "../cluster/harness/relay";
import { createParityJob } from "./harness/clusterObjects";
import { openVsCode } from "./harness/session";

describe("the Cluster view follows the kubeconfig and the connection", () => {
  test("an outage shows within 5 s and hides the old rows; a kubeconfig rewritten to the moved cluster is followed without Refresh", async (context) => {
    const cluster = inject("parityCluster");
    const admin = kubeConfig(cluster.kubeconfigs.admin);
    const namespace = await freshNamespace(admin, "e2e-moved");
    const jobName = "e2e-moved-run";
    await createParityJob(admin, namespace, jobName, "e2e-moved-run");
    // Two addresses of the same cluster: the one the kubeconfig names first, and where it "moves".
    const [before, after] = [await Relay.open(cluster.server), await Relay.open(cluster.server)];
    const folder = await mkdtemp(path.join(tmpdir(), "parity-e2e-kube-"));
    const file = path.join(folder, "config");
    const token = admin.getCurrentUser()!.token!;
    // Written as kubectl does: a new file renamed over the old one.
    const writeConfig = async (server: string) => {
      writeKubeconfig(`${file}.tmp`, server, cluster.caFile, "parity-admin", token);
      await rename(`${file}.tmp`, file);
    };
    try {
      await writeConfig(before.url);
      const { workbench } = await openVsCode(context, {
        name: "cluster-kubeconfig",
        env: { KUBECONFIG: file },
        settings: { "parity.cluster.namespace": namespace },
      });
      await workbench.openParityView();
      await workbench.expandView("Cluster");
      const row = workbench.treeRow("Cluster", jobName).first();
      await row.waitFor({ timeout: 60_000 });
      const contextRow = workbench.treeRow("Cluster", "parity-test-parity-admin").first();
      expect(await contextRow.innerText()).toContain("live");

      const cut = Date.now();
      await before.refuse();
      await expect
        .poll(async () => (await contextRow.innerText()).replace(/\s+/g, " "), { timeout: 10_000 })
        .toMatch(/unreachable for \d+ s/);
      expect(Date.now() - cut).toBeLessThan(5_000);
      // The dead address's Job is not shown as if it were current.
      expect(await row.count()).toBe(0);
      expect(await workbench.statusBarText(namespace)).toMatch(/unreachable for \d+ s/);
      await workbench.screenshot("cluster-unreachable");

      await writeConfig(after.url);
      await row.waitFor({ timeout: 15_000 });
      await expect
        .poll(async () => (await contextRow.innerText()).replace(/\s+/g, " "), { timeout: 15_000 })
        .toContain("live");
      await workbench.screenshot("cluster-moved");
    } finally {
      await before.refuse();
      await after.refuse();
      await rm(folder, { recursive: true, force: true });
    }
  }, 180_000);
});
