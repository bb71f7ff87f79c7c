import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { FrameLocator, Locator } from "playwright-core";
import { describe, expect, inject, test, type TestContext } from "vitest";
import { driveArgoPods, offerVolumes, type PodFate } from "../cluster/harness/argoPods";
import { freshNamespace, kubeConfig, until } from "../cluster/harness/context";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";
import type { Workbench } from "./harness/workbench";

// The steps' image is built before the cluster is asked (as for a local run): a minute at most.
const BUILD_TIMEOUT = 240_000;
/** numbers.ipynb of test/fixtures/workspaces/kale-pipeline: load, then squares and total, then report. */
const STEPS = ["load", "squares", "total", "report"];

/**
 * The Kale-tagged numbers.ipynb in `<workspace>/kale-pipeline`, its profile pushing to the loopback
 * registry and running in `namespace` of the test control plane.
 */
async function pipelineOnCluster(
  workspace: string,
  where: { context: string; namespace: string; registry: string; protect: boolean },
): Promise<void> {
  const dir = path.join(workspace, "kale-pipeline");
  await cp(path.join(repoRoot, "test/fixtures/workspaces/kale-pipeline"), dir, { recursive: true });
  const profile = path.join(dir, "parity.yaml");
  const text = await readFile(profile, "utf8");
  const withRegistry = text.replace(
    '  python: "3.11"\n',
    `  python: "3.11"\n  registry: ${where.registry}/parity-e2e\n`,
  );
  expect(withRegistry).not.toBe(text);
  await writeFile(
    profile,
    `${withRegistry}cluster:\n  context: ${where.context}\n  namespace: ${where.namespace}\n  protected: ${where.protect}\n`,
  );
}

/**
 * A window on the Kale pipeline, its profile pointed at a fresh namespace of the test control plane,
 * where Argo's own workflow-controller runs the Workflow; kwok runs no container, so the test plays
 * the steps' pods (test/cluster/harness/argoPods.ts): `fate` says how each ends, asked again on
 * every pass until it ends.
 */
async function openOnCluster(
  context: TestContext,
  name: string,
  options: { protect: boolean; fate: (step: string) => PodFate },
) {
  const cluster = inject("parityCluster");
  const registry = inject("parityRegistry");
  const admin = kubeConfig(cluster.kubeconfigs.admin);
  const namespace = await freshNamespace(admin, "e2e-pipe");
  // The Workflow claims a volume for the files its steps hand on; nothing provisions one under kwok.
  await offerVolumes(cluster, namespace, 2);
  const pods = driveArgoPods(cluster, namespace, options.fate);
  context.onTestFinished(() => pods.stop());
  const { workbench } = await openVsCode(context, {
    name,
    env: { KUBECONFIG: cluster.kubeconfigs.admin },
    prepare: (workspace) =>
      pipelineOnCluster(workspace, {
        context: admin.getCurrentContext(),
        namespace,
        registry: registry.host,
        protect: options.protect,
      }),
  });
  await workbench.openParityView();
  await workbench.expandView("Pipelines");
  await workbench.treeRow("Pipelines", "numbers.ipynb").first().waitFor({ timeout: 60_000 });
  await workbench.openFile("kale-pipeline/numbers.ipynb");
  await workbench.runCommand("Parity: Run Pipeline on Cluster");
  const workflow = await until(
    `a Workflow in ${namespace}`,
    async () => (await workflows(admin, namespace))[0]?.name,
    BUILD_TIMEOUT,
  );
  return { admin, namespace, workbench, workflow };
}

/** The Argo Workflows in a namespace: their names, phases, and whether they are being deleted. */
async function workflows(
  admin: KubeConfig,
  namespace: string,
): Promise<{ name: string; phase?: string; deleting: boolean }[]> {
  const list = (await admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: "argoproj.io",
    version: "v1alpha1",
    namespace,
    plural: "workflows",
  })) as { items: { metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string } }[] };
  return list.items.map((item) => ({
    name: item.metadata.name,
    phase: item.status?.phase,
    deleting: item.metadata.deletionTimestamp !== undefined,
  }));
}

/** A run's row label: the time it started ("11:29 AM", "11:29" as the locale has it). */
const STARTED = String.raw`\d{1,2}:\d\d(?:\s?[AP]M)?`;

/** The pipeline run's row in the Pipelines view (labelled with its start time) while it runs. */
function runningPipelineRow(workbench: Workbench): Locator {
  return workbench
    .treeRows("Pipelines")
    .filter({ hasText: new RegExp(`${STARTED}\\s*Running · \\d of ${STEPS.length} steps done`) });
}

/** Until the run graph shows `step` in `status`. */
async function stepShown(graph: FrameLocator, step: string, status: string): Promise<void> {
  const node = graph.locator(`[data-testid="graph-node"][data-step="${step}"]`);
  await expect.poll(() => node.getAttribute("data-status"), { timeout: BUILD_TIMEOUT }).toBe(status);
}

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

  test(
    "Reload Window while a pipeline runs on the cluster: the Workflow is left running, and the reloaded window follows it again to its end (the Pipelines view and the run graph)",
    async (context) => {
      // squares runs until the test lets it end: the window reloads meanwhile.
      let release = false;
      const { admin, namespace, workbench, workflow } = await openOnCluster(
        context,
        "pipeline-cluster-reload",
        {
          protect: false,
          fate: (step) => (step === "squares" && !release ? "hold" : "complete"),
        },
      );
      const page = workbench.page;
      const graph = await workbench.webviewFrame("Run Graph: numbers.ipynb");
      await stepShown(graph, "squares", "running");
      await runningPipelineRow(workbench).first().waitFor({ timeout: 60_000 });
      await workbench.screenshot("run-graph-live");
      // The focus back in the notebook: a focused webview keeps F1 to itself.
      await page.locator('.tabs-container .tab[aria-label^="numbers.ipynb"]').first().click();

      const reloaded = page.waitForEvent("load", { timeout: 60_000 });
      await workbench.runCommand("Developer: Reload Window");
      await reloaded;
      await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
      // Closing the window stopped following the Workflow; it did not delete it.
      expect(await workflows(admin, namespace)).toEqual([
        expect.objectContaining({ name: workflow, deleting: false }),
      ]);
      await workbench
        .viewPane("Pipelines")
        .waitFor({ timeout: 30_000 })
        .catch(() => workbench.openParityView());
      await workbench.expandView("Pipelines");
      // This window follows it again: its row offers Cancel Run, as for one it started.
      const row = runningPipelineRow(workbench).first();
      await row.waitFor({ timeout: 60_000 });
      await workbench.waitForMenuEntry(row, "Cancel Run");
      await workbench.screenshot("reloaded-following");

      release = true;
      await expect
        .poll(() => workbench.treeTexts("Pipelines"), { timeout: BUILD_TIMEOUT })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(new RegExp(`^${STARTED}\\s*Succeeded · .* · ${STEPS.length} succeeded$`)),
          ]),
        );
      // The run graph came back with the window and follows the record to the end.
      const restored = await workbench.webviewFrame("Run Graph: numbers.ipynb");
      for (const step of STEPS) await stepShown(restored, step, "succeeded");
      await expect
        .poll(() => restored.locator('[data-testid="run-status"]').getAttribute("data-status"), {
          timeout: 30_000,
        })
        .toBe("succeeded");
      // The Workflow ran to its end on the cluster, never deleted.
      expect(await workflows(admin, namespace)).toEqual([
        expect.objectContaining({ name: workflow, phase: "Succeeded", deleting: false }),
      ]);
      await workbench.screenshot("reloaded-succeeded");
    },
    BUILD_TIMEOUT * 2 + 180_000,
  );

  test(
    "Cancel in a protected namespace: the progress's Cancel refuses a wrong name (backed out of, the pipeline goes on), and Cancel Run on its row deletes the Workflow once its name is typed exactly",
    async (context) => {
      const { admin, namespace, workbench, workflow } = await openOnCluster(
        context,
        "pipeline-cluster-cancel",
        {
          protect: true,
          fate: (step) => (step === "squares" ? "hold" : "complete"),
        },
      );
      const page = workbench.page;
      const graph = await workbench.webviewFrame("Run Graph: numbers.ipynb");
      await stepShown(graph, "squares", "running");
      await runningPipelineRow(workbench).first().waitFor({ timeout: 60_000 });
      const toast = page
        .locator(".notification-toast")
        .filter({ hasText: "pipeline numbers.ipynb on the cluster" })
        .first();
      await toast.hover();
      await toast.getByRole("button", { name: "Cancel" }).click();
      const input = page.locator(".quick-input-widget input.input");
      await input.waitFor({ timeout: 30_000 });
      expect(await page.locator(".quick-input-widget").innerText()).toContain(
        `${namespace} is a protected namespace: type ${workflow}`,
      );
      await input.fill(`${workflow}-x`);
      await input.press("Enter");
      await expect
        .poll(() => page.locator(".quick-input-widget .quick-input-message").innerText())
        .toContain(`Type ${workflow} exactly.`);
      await workbench.screenshot("progress-cancel-wrong-name");
      await input.press("Escape");
      await expect
        .poll(() => workbench.notifications(), { timeout: 30_000 })
        .toContain(
          "The pipeline numbers.ipynb goes on: Cancel Run on its row in the Pipelines view stops it.",
        );
      expect(await workflows(admin, namespace)).toEqual([
        expect.objectContaining({ name: workflow, deleting: false }),
      ]);

      await workbench.contextMenu(runningPipelineRow(workbench).first(), "Cancel Run");
      await input.waitFor({ timeout: 30_000 });
      await input.fill(`${workflow}-x`);
      await input.press("Enter");
      await expect
        .poll(() => page.locator(".quick-input-widget .quick-input-message").innerText())
        .toContain(`Type ${workflow} exactly.`);
      expect(await workflows(admin, namespace)).toEqual([
        expect.objectContaining({ name: workflow, deleting: false }),
      ]);
      await workbench.screenshot("cancel-run-wrong-name");
      await input.fill(workflow);
      await input.press("Enter");
      await input.waitFor({ state: "hidden", timeout: 5_000 });
      await expect.poll(() => workflows(admin, namespace), { timeout: 30_000 }).toEqual([]);

      // Recorded cancelled: the held step cancelled, the one after it not run.
      await expect
        .poll(() => workbench.treeTexts("Pipelines"), { timeout: 60_000 })
        .toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${STARTED}\\s*Cancelled · `))]));
      await stepShown(graph, "squares", "cancelled");
      await stepShown(graph, "report", "not-run");
      await workbench.screenshot("cancelled");
    },
    BUILD_TIMEOUT + 180_000,
  );
});
