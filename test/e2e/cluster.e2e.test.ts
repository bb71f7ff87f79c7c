import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { freshNamespace, kubeConfig } from "../cluster/harness/context";
import { openVsCode } from "./harness/session";

// The training example builds its image from PyPI the first time (a minute or two); the push to the
// loopback registry and kwok's completion of the Job's pod take seconds.
const RUN_TIMEOUT = 600_000;

/** The example's profile, pointed at the test control plane (context, fresh namespace) and the loopback registry. */
async function pointAtCluster(workspace: string, context: string, namespace: string, registry: string) {
  const file = path.join(workspace, "train", "parity.yaml");
  const text = await readFile(file, "utf8");
  const withRegistry = text.replace(/^image:\n/m, `image:\n  registry: ${registry}/parity-e2e\n`);
  expect(withRegistry).not.toBe(text);
  await writeFile(file, `${withRegistry}cluster:\n  context: ${context}\n  namespace: ${namespace}\n`);
}

describe("cluster", () => {
  test(
    "notebook toolbar: Run on Cluster, the Runs view reaches Succeeded, and the diagnosis shows the run's events",
    async (context) => {
      const cluster = inject("parityCluster");
      const registry = inject("parityRegistry");
      const admin = kubeConfig(cluster.kubeconfigs.admin);
      const namespace = await freshNamespace(admin, "e2e");
      const { workbench } = await openVsCode(context, {
        name: "cluster-run",
        env: { KUBECONFIG: cluster.kubeconfigs.admin },
        prepare: (workspace) =>
          pointAtCluster(workspace, admin.getCurrentContext(), namespace, registry.host),
      });
      await workbench.openParityView();
      await workbench.openFile("train/train.ipynb");
      // Enabled once the extension finds the kubeconfig (KUBECONFIG) or the profile's cluster section.
      const run = workbench.notebookToolbarButton("Run on Cluster");
      await expect.poll(() => run.getAttribute("class"), { timeout: 30_000 }).not.toMatch(/\bdisabled\b/);
      await workbench.screenshot("notebook-toolbar");
      await run.click();
      await workbench.treeRow("Runs", "train.ipynb").first().waitFor({ timeout: 120_000 });
      const row = await workbench.waitForTreeStatus("Runs", "train.ipynb", "Succeeded", RUN_TIMEOUT);
      expect(row).toMatch(/Succeeded/);
      // The status bar names the cluster target while its run is active or the Cluster view is shown.
      await workbench.expandView("Cluster");
      const target = workbench.statusBarItem(namespace);
      await target.waitFor({ timeout: 30_000 });
      expect(await target.innerText()).toContain(admin.getCurrentContext());
      await workbench.treeRow("Cluster", "Parity runs").first().waitFor({ timeout: 30_000 });
      await workbench.screenshot("runs-succeeded");

      await workbench.contextMenu(workbench.treeRow("Runs", "train.ipynb").first(), "Open Diagnosis");
      const diagnosis = await workbench.webviewFrame("Diagnosis: train.ipynb");
      const timeline = diagnosis.locator('[data-testid="timeline-row"]');
      await expect
        .poll(() => timeline.evaluateAll((rows) => rows.map((row) => row.getAttribute("data-reason"))), {
          timeout: 30_000,
        })
        .toContain("Scheduled");
      const texts = await timeline.allInnerTexts();
      // The scheduler's event for the Job's pod, and the Job's own entries (created, completed).
      expect(texts.find((text) => text.includes("Scheduled"))).toMatch(/Pod\/\S+/);
      expect(texts.some((text) => /Job\//.test(text))).toBe(true);
      expect(await diagnosis.locator('[data-testid="run-status"]').innerText()).toBe("Succeeded");
      await workbench.screenshot("diagnosis-timeline");
    },
    RUN_TIMEOUT + 180_000,
  );
});
