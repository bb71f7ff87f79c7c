import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { load } from "js-yaml";
import { describe, expect, inject, test } from "vitest";
import { freshNamespace, kubeConfig } from "../cluster/harness/context";
import { jobNames } from "./harness/clusterObjects";
import { openVsCode } from "./harness/session";

const RUN_TIMEOUT = 600_000;

describe("cluster fixes", () => {
  test(
    "a job no node takes: Enter in the warning submits nothing; submitted anyway, its diagnosis shows the toleration as YAML and adds it to parity.yaml",
    async (context) => {
      const cluster = inject("parityCluster");
      const registry = inject("parityRegistry");
      const admin = kubeConfig(cluster.kubeconfigs.admin);
      const namespace = await freshNamespace(admin, "e2e-fix");
      // 8 GPUs: only the tainted 8-GPU node has room, and the profile does not tolerate its taint.
      const profileFile = (workspace: string) => path.join(workspace, "train", "parity.yaml");
      const { workbench, workspace } = await openVsCode(context, {
        name: "cluster-fix",
        env: { KUBECONFIG: cluster.kubeconfigs.admin },
        // Another namespace selected for browsing: a run goes there only when the user says so.
        settings: { "parity.cluster.namespace": "browsing-elsewhere" },
        prepare: async (workspace) => {
          const text = await readFile(profileFile(workspace), "utf8");
          const edited = text
            .replace(/^image:\n/m, `image:\n  registry: ${registry.host}/parity-e2e\n`)
            .replace("gpu: 0", "gpu: 8");
          expect(edited).toContain("gpu: 8");
          await writeFile(
            profileFile(workspace),
            `${edited}cluster:\n  context: ${admin.getCurrentContext()}\n  namespace: ${namespace}\n`,
          );
        },
      });
      await workbench.openParityView();
      await workbench.openFile("train/train.ipynb");
      const run = workbench.notebookToolbarButton("Run on Cluster");
      /** The first question of each run: Enter picks its default, the profile's namespace. */
      const answerNamespaceQuestion = async () => {
        await workbench.dialog().waitFor({ timeout: 60_000 });
        expect(await workbench.dialog().innerText()).toContain(
          `parity.yaml runs it in namespace ${namespace}, but this workspace has browsing-elsewhere selected`,
        );
        await workbench.page.keyboard.press("Enter");
      };
      await expect.poll(() => run.getAttribute("class"), { timeout: 30_000 }).not.toMatch(/\bdisabled\b/);

      // Enter answers the "cannot schedule" warning with its default button, which submits nothing:
      // it adds the fix to parity.yaml.
      const original = await readFile(profileFile(workspace), "utf8");
      await run.click();
      await answerNamespaceQuestion();
      await expect
        .poll(() => workbench.dialog().innerText(), { timeout: 120_000 })
        .toMatch(/cannot schedule/);
      const warning = await workbench.dialog().innerText();
      expect(warning).toMatch(/cannot schedule/);
      // The YAML keeps its indentation in the dialog too.
      expect(warning).toMatch(/\n\u00a0{6}cluster:\n\u00a0{8}tolerations:\n/);
      await workbench.screenshot("unschedulable-dialog");
      await workbench.page.keyboard.press("Enter");
      await workbench.dialog().waitFor({ state: "hidden" });
      await expect
        .poll(() => readFile(profileFile(workspace), "utf8"), { timeout: 30_000 })
        .toContain("  tolerations:\n    - key: nvidia.com/gpu\n");
      await workbench.page.waitForTimeout(2000);
      expect(await jobNames(admin, namespace)).toEqual([]);
      await writeFile(profileFile(workspace), original);

      // Submitted anyway, it stays Pending, and its diagnosis offers the toleration.
      await run.click();
      await answerNamespaceQuestion();
      await expect
        .poll(() => workbench.dialog().innerText(), { timeout: 120_000 })
        .toMatch(/cannot schedule/);
      await workbench.clickDialogButton("Submit Anyway");
      // In the profile's namespace, as answered, not the one selected for browsing.
      await expect.poll(() => jobNames(admin, namespace), { timeout: RUN_TIMEOUT }).toHaveLength(1);
      // The active notebook's newest run (the Runs view's context menu offers the same).
      await workbench.runCommand("Parity: Open Diagnosis");
      const diagnosis = await workbench.webviewFrame("Diagnosis: train.ipynb");
      const item = diagnosis.locator('[data-testid="diagnosis-item"][data-code="UntoleratedTaint"]').first();
      await item.waitFor({ timeout: 60_000 });
      expect(await diagnosis.locator('[data-testid="run-status"]').innerText()).toBe("Pending");
      const snippet = await item.locator('[data-testid="fix-snippet"]').innerText();
      // As pasted: on lines of their own, with their indentation, not one flattened line.
      expect(snippet.split("\n").slice(0, 3)).toEqual([
        "cluster:",
        "  tolerations:",
        "    - key: nvidia.com/gpu",
      ]);
      await workbench.screenshot("diagnosis-toleration");
      await item.locator('[data-testid="apply-snippet"]').click();
      await expect
        .poll(
          async () =>
            (
              load(await readFile(profileFile(workspace), "utf8")) as {
                cluster?: { tolerations?: unknown[] };
              }
            ).cluster?.tolerations,
          { timeout: 30_000 },
        )
        .toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }]);
      const after = await readFile(profileFile(workspace), "utf8");
      expect(after).toContain(`  namespace: ${namespace}\n  tolerations:\n`);
    },
    RUN_TIMEOUT + 180_000,
  );
});
