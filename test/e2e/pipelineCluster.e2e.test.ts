import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";

// The steps' image is built before the cluster is asked (as for a local run): a minute at most.
const BUILD_TIMEOUT = 240_000;

describe("pipelines on a cluster", () => {
  test(
    "Run Pipeline on Cluster from the notebook toolbar without a kubeconfig: Parity's own error, and no run left going",
    async (context) => {
      // KUBECONFIG names a file that is not there: no cluster is configured.
      const kube = await mkdtemp(path.join(tmpdir(), "parity-e2e-nokube-"));
      const kubeconfig = path.join(kube, "config");
      try {
        const { workbench, workspace } = await openVsCode(context, {
          name: "pipeline-cluster-no-kubeconfig",
          env: { KUBECONFIG: kubeconfig },
          prepare: (workspace) =>
            cp(
              path.join(repoRoot, "test/fixtures/workspaces/kale-pipeline"),
              path.join(workspace, "kale-pipeline"),
              { recursive: true },
            ),
        });
        await workbench.openParityView();
        await workbench.expandView("Pipelines");
        await workbench.treeRow("Pipelines", "numbers.ipynb").first().waitFor({ timeout: 60_000 });

        await workbench.openFile("kale-pipeline/numbers.ipynb");
        // Beside Run Pipeline Locally, or in the toolbar's overflow where the labels do not fit.
        await workbench.notebookToolbarButton("Run Pipeline Locally").waitFor({ timeout: 30_000 });
        const action = await workbench.notebookAction("Run Pipeline on Cluster");
        await workbench.screenshot("toolbar");
        await action.click();

        const error = workbench.errorNotifications().filter({ hasText: "kubeconfig" }).first();
        await error.waitFor({ timeout: BUILD_TIMEOUT });
        await workbench.waitForToastShown(error);
        const text = (await error.locator(".notification-list-item-message").innerText()).trim();
        expect(text).toContain(`None of the kubeconfig files in KUBECONFIG exists (${kubeconfig})`);
        // The fix is said with it; no stack trace, no error class name.
        expect(text).toContain("Point KUBECONFIG at the kubeconfig");
        expect(text).not.toMatch(/\bat .*\(|Error:|KubeconfigNotFound/);
        await workbench.screenshot("error");

        // Nothing went to the cluster, so nothing was recorded and nothing is left going.
        const texts = async () => [
          ...(await workbench.treeTexts("Pipelines")),
          ...(await workbench.treeTexts("Runs")),
        ];
        await expect
          .poll(async () => (await texts()).filter((row) => /Building|Running|Pending/.test(row)), {
            timeout: 10_000,
          })
          .toEqual([]);
        const runs = await readdir(path.join(workspace, "kale-pipeline/.parity/runs")).catch(() => []);
        expect(runs).toEqual([]);
      } finally {
        await rm(kube, { recursive: true, force: true });
      }
    },
    BUILD_TIMEOUT + 120_000,
  );
});
