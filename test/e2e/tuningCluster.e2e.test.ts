import { copyFile, cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { Locator } from "playwright-core";
import { describe, expect, inject, test, type TestContext } from "vitest";
import { freshNamespace, kubeConfig, until } from "../cluster/harness/context";
import { cpuNodeNames } from "../cluster/harness/fixtures";
import { driveTrials, katibNamespace, type KatibTrial } from "../cluster/harness/katib";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";
import type { Workbench } from "./harness/workbench";

// Tune on Cluster in a real VS Code against the test control plane: the tuning fixture's image is
// built by the real Docker engine, pushed to the loopback registry, and its experiment created as
// a Katib Experiment, which Katib v0.19.0's own controller turns into Trials and their Jobs. kwok
// runs no container, so the test plays each trial (test/cluster/harness/katib.ts): what it prints
// and the metrics collector's report to Katib's DB manager. The image build is the slow part.
const TUNE_TIMEOUT = 420_000;

/** The accuracy a played trial reports for its values: best near lr 0.03 with adam. */
function playedAccuracy(trial: KatibTrial): number {
  const value = (name: string) => trial.spec.parameterAssignments?.find((each) => each.name === name)?.value;
  const lr = Number(value("lr"));
  return Number((0.9 - 10 * (lr - 0.03) ** 2 - (value("optimizer") === "sgd" ? 0.02 : 0)).toFixed(6));
}

/**
 * The tuning fixture in `<workspace>/tuning`, its experiment as the notebook's own, its profile
 * pushing to the loopback registry and running in `namespace` of the test control plane.
 */
async function tuningOnCluster(
  workspace: string,
  where: { context: string; namespace: string; registry: string; protect: boolean; pool: boolean },
): Promise<void> {
  const dir = path.join(workspace, "tuning");
  await cp(path.join(repoRoot, "test/fixtures/workspaces/tuning"), dir, { recursive: true });
  // Three trials, two at once: the panel fills while some still run.
  await copyFile(path.join(dir, "cluster.yaml"), path.join(dir, "train.experiment.yaml"));
  const profile = path.join(dir, "parity.yaml");
  const text = await readFile(profile, "utf8");
  const withRegistry = text.replace(
    '  python: "3.11"\n',
    `  python: "3.11"\n  registry: ${where.registry}/parity-e2e\n`,
  );
  expect(withRegistry).not.toBe(text);
  await writeFile(
    profile,
    `${withRegistry}cluster:\n  context: ${where.context}\n  namespace: ${where.namespace}\n  protected: ${where.protect}\n${where.pool ? `  nodeSelector: { ${POOL_LABEL}: ${where.namespace} }\n` : ""}`,
  );
}

/**
 * The node label a profile may ask for, which no node has until the test opens the pool: its trials
 * stay Pending meanwhile (kwok would complete a running trial's pod at once, and Katib end it
 * "metrics unavailable" before the test could play it).
 */
const POOL_LABEL = "parity.test/tune-pool";

/** Gives a node the namespace's pool label, so that its Pending trials' pods are scheduled; the returned function takes it off. */
async function openPool(admin: KubeConfig, namespace: string): Promise<() => Promise<void>> {
  const core = admin.makeApiClient(CoreV1Api);
  // A JSON patch: the label's "/" written as JSON Pointer's "~1".
  const label = `/metadata/labels/${POOL_LABEL.replace("/", "~1")}`;
  await core.patchNode({ name: cpuNodeNames[0], body: [{ op: "add", path: label, value: namespace }] });
  return async () => {
    await core.patchNode({ name: cpuNodeNames[0], body: [{ op: "remove", path: label }] });
  };
}

/** Answers Parity's question about trials no node takes (the pool is closed): submit them anyway. */
async function submitAnyway(workbench: Workbench): Promise<void> {
  await expect
    .poll(() => workbench.dialog().innerText(), { timeout: TUNE_TIMEOUT })
    .toContain("The cluster cannot schedule the trials of train.ipynb as they are");
  expect(await workbench.dialog().innerText()).toContain(
    "Submitted anyway, each trial stays Pending until the cluster changes.",
  );
  await workbench.screenshot("unschedulable-trials");
  await workbench.clickDialogButton("Submit Anyway");
}

/** The names of the Katib Experiments in a namespace. */
async function experimentNames(admin: KubeConfig, namespace: string): Promise<string[]> {
  const list = (await admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: "kubeflow.org",
    version: "v1beta1",
    namespace,
    plural: "experiments",
  })) as { items: { metadata: { name: string } }[] };
  return list.items.map((item) => item.metadata.name);
}

/** The one Experiment Tune on Cluster creates in the namespace, once it is there (after the build and push). */
function createdExperiment(admin: KubeConfig, namespace: string): Promise<string> {
  return until(
    `an Experiment in ${namespace}`,
    async () => (await experimentNames(admin, namespace))[0],
    TUNE_TIMEOUT,
  );
}

/** Runs Tune on Cluster from the open notebook's toolbar (or its overflow menu), with a screenshot of it. */
async function tuneOnClusterFromToolbar(workbench: Workbench): Promise<void> {
  await workbench.openFile("tuning/train.ipynb");
  await workbench.notebookToolbarButton("Tune").waitFor({ timeout: 30_000 });
  const action = await workbench.notebookAction("Tune on Cluster");
  await workbench.screenshot("notebook-toolbar");
  await action.click();
}

/** A window on the tuning fixture, its profile pointed at a fresh Katib namespace of the test control plane. */
async function openOnCluster(
  context: TestContext,
  name: string,
  options: { protect: boolean; pool: boolean },
) {
  const cluster = inject("parityCluster");
  const registry = inject("parityRegistry");
  const admin = kubeConfig(cluster.kubeconfigs.admin);
  const namespace = await freshNamespace(admin, "e2e-tune", katibNamespace);
  const { workbench } = await openVsCode(context, {
    name,
    env: { KUBECONFIG: cluster.kubeconfigs.admin },
    prepare: (workspace) =>
      tuningOnCluster(workspace, {
        context: admin.getCurrentContext(),
        namespace,
        registry: registry.host,
        ...options,
      }),
  });
  await workbench.openParityView();
  await workbench.expandView("Experiments");
  await workbench.treeRow("Experiments", "train.ipynb").first().waitFor({ timeout: 60_000 });
  return { cluster, admin, namespace, workbench };
}

/** The experiment's row as the Experiments view shows it once it succeeded on the cluster. */
function succeededRow(namespace: string): RegExp {
  return new RegExp(`Succeeded · best accuracy [\\d.]+ · 3 trials · 3 succeeded · cluster ${namespace}$`);
}

/** An experiment's row label: the time it started ("11:29 AM", "11:29" as the locale has it). */
const STARTED = String.raw`\d{1,2}:\d\d(?:\s?[AP]M)?`;

/** The experiment's row in the Experiments view (labelled with its start time) while it runs. */
function runningExperimentRow(workbench: Workbench): Locator {
  return workbench.treeRows("Experiments").filter({ hasText: new RegExp(`${STARTED}\\s*Running · `) });
}

describe("tuning on a cluster", () => {
  test(
    "Tune on Cluster from the notebook toolbar: the tuning panel fills with Katib's trials and the objective each reported, the Experiments view says it succeeded in its namespace",
    async (context) => {
      const { cluster, admin, namespace, workbench } = await openOnCluster(context, "tuning-cluster", {
        protect: false,
        pool: false,
      });
      await tuneOnClusterFromToolbar(workbench);

      const name = await createdExperiment(admin, namespace);
      expect(name).toMatch(/^train-cluster-[0-9a-f]{4}$/);
      const expected = new Map<string, number>();
      const drive = driveTrials(cluster, namespace, name, (trial) => {
        const accuracy = playedAccuracy(trial);
        expected.set(trial.metadata.name, accuracy);
        return { log: [`final accuracy=${accuracy} loss=${Number((1 - accuracy).toFixed(6))}`] };
      });
      try {
        const panel = await workbench.webviewFrame("Tuning: train.ipynb");
        const rows = panel.locator('[data-testid="trial-row"]');
        expect(await panel.locator('[data-testid="experiment-where"]').innerText()).toBe(
          `the cluster (context ${admin.getCurrentContext()}, namespace ${namespace}) as Experiment ${name}`,
        );
        await expect
          .poll(() => panel.locator('[data-testid="experiment-status"]').getAttribute("data-status"), {
            timeout: 180_000,
          })
          .toBe("succeeded");
        expect(await rows.count()).toBe(3);
        expect(
          new Set(await rows.evaluateAll((each) => each.map((row) => row.getAttribute("data-status")))),
        ).toEqual(new Set(["succeeded"]));
        expect(await panel.locator('[data-testid="experiment-reason"]').innerText()).toBe(
          "ExperimentMaxTrialsReached",
        );
        // Each trial's objective is the accuracy its collector reported to Katib.
        for (const row of await rows.all()) {
          const trial = (await row.getAttribute("data-trial"))!;
          const objective = Number(await row.locator('[data-testid="trial-objective"]').innerText());
          expect(objective).toBeCloseTo(expected.get(trial)!, 5);
        }
        await workbench.screenshot("tuning-panel");

        // The end is said once, naming where it ran and the best trial.
        const best = [...expected].reduce((a, b) => (b[1] > a[1] ? b : a));
        await expect
          .poll(() => workbench.notifications(), { timeout: 30_000 })
          .toEqual(
            expect.arrayContaining([
              expect.stringMatching(
                new RegExp(`^The experiment of train\\.ipynb on the cluster succeeded .*Best: ${best[0]}, `),
              ),
            ]),
          );
        // The Experiments view: the experiment succeeded in its namespace, with its trials.
        await expect
          .poll(() => workbench.treeTexts("Experiments"), { timeout: 30_000 })
          .toEqual(
            expect.arrayContaining([
              expect.stringMatching(succeededRow(namespace)),
              expect.stringMatching(new RegExp(`^${best[0]}\\s*Succeeded · best · accuracy`)),
            ]),
          );
        await workbench.screenshot("experiments-view");
      } finally {
        await drive.stop();
      }
    },
    TUNE_TIMEOUT + 300_000,
  );

  test(
    "Reload Window while a cluster experiment runs: the Experiment is left running, and the reloaded window follows it again to its end",
    async (context) => {
      const { cluster, admin, namespace, workbench } = await openOnCluster(context, "tuning-cluster-reload", {
        protect: false,
        pool: true,
      });
      const page = workbench.page;
      await workbench.openFile("tuning/train.ipynb");
      await workbench.runCommand("Parity: Tune on Cluster");
      await submitAnyway(workbench);
      const name = await createdExperiment(admin, namespace);
      // Two trials at once, Pending until the pool opens: the panel lists them as the experiment runs.
      const panel = await workbench.webviewFrame("Tuning: train.ipynb");
      await expect
        .poll(() => panel.locator('[data-testid="trial-row"]').count(), { timeout: 120_000 })
        .toBe(2);
      expect(await panel.locator('[data-testid="experiment-status"]').getAttribute("data-status")).toBe(
        "running",
      );
      await runningExperimentRow(workbench).first().waitFor({ timeout: 30_000 });
      await workbench.screenshot("tuning-panel-live");
      // The focus back in the notebook: a focused webview keeps F1 to itself.
      await page.locator('.tabs-container .tab[aria-label^="train.ipynb"]').first().click();

      const reloaded = page.waitForEvent("load", { timeout: 60_000 });
      await workbench.runCommand("Developer: Reload Window");
      await reloaded;
      await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
      // Closing the window stopped following the Experiment; it did not delete it.
      expect(await experimentNames(admin, namespace)).toEqual([name]);
      // The side bar comes back as it was; opened again only where it did not.
      await workbench
        .viewPane("Experiments")
        .waitFor({ timeout: 30_000 })
        .catch(() => workbench.openParityView());
      await workbench.expandView("Experiments");
      // This window follows it again: its row offers Cancel Experiment, as for one it started.
      const row = runningExperimentRow(workbench).first();
      await row.waitFor({ timeout: 60_000 });
      await workbench.waitForMenuEntry(row, "Cancel Experiment");
      await workbench.screenshot("reloaded-following");

      const drive = driveTrials(cluster, namespace, name, (trial) => ({
        log: [`final accuracy=${playedAccuracy(trial)}`],
      }));
      const closePool = await openPool(admin, namespace);
      try {
        await expect
          .poll(() => workbench.treeTexts("Experiments"), { timeout: 180_000 })
          .toEqual(expect.arrayContaining([expect.stringMatching(succeededRow(namespace))]));
        // The panel came back with the window and follows the record to the end.
        const restored = await workbench.webviewFrame("Tuning: train.ipynb");
        await expect
          .poll(() => restored.locator('[data-testid="experiment-status"]').getAttribute("data-status"), {
            timeout: 60_000,
          })
          .toBe("succeeded");
        expect(await restored.locator('[data-testid="trial-row"]').count()).toBe(3);
        await workbench.screenshot("reloaded-succeeded");
      } finally {
        await drive.stop();
        await closePool();
      }
    },
    TUNE_TIMEOUT + 300_000,
  );

  test(
    "Cancel in a protected namespace: the progress's Cancel asks for the Experiment's name (backed out of, it goes on), and Cancel Experiment on its row deletes it once the name is typed exactly",
    async (context) => {
      const { admin, namespace, workbench } = await openOnCluster(context, "tuning-cluster-cancel", {
        protect: true,
        pool: true,
      });
      const page = workbench.page;
      await tuneOnClusterFromToolbar(workbench);
      await submitAnyway(workbench);
      const name = await createdExperiment(admin, namespace);
      await runningExperimentRow(workbench).first().waitFor({ timeout: 120_000 });
      const toast = page
        .locator(".notification-toast")
        .filter({ hasText: "tuning train.ipynb on the cluster" })
        .first();
      await toast.hover();
      await toast.getByRole("button", { name: "Cancel" }).click();
      const input = page.locator(".quick-input-widget input.input");
      await input.waitFor({ timeout: 30_000 });
      expect(await page.locator(".quick-input-widget").innerText()).toContain(
        `${namespace} is a protected namespace: type ${name}`,
      );
      await workbench.screenshot("progress-cancel-asks");
      await input.press("Escape");
      await expect
        .poll(() => workbench.notifications(), { timeout: 30_000 })
        .toContain(
          "The experiment of train.ipynb goes on: Cancel Experiment on its row in the Experiments view stops it.",
        );
      expect(await experimentNames(admin, namespace)).toEqual([name]);

      await workbench.contextMenu(runningExperimentRow(workbench).first(), "Cancel Experiment");
      await input.waitFor({ timeout: 30_000 });
      await input.fill(`${name}-x`);
      await input.press("Enter");
      await expect
        .poll(() => page.locator(".quick-input-widget .quick-input-message").innerText())
        .toContain(`Type ${name} exactly.`);
      expect(await experimentNames(admin, namespace)).toEqual([name]);
      await workbench.screenshot("cancel-wrong-name");
      await input.fill(name);
      await input.press("Enter");
      await input.waitFor({ state: "hidden", timeout: 5_000 });
      await expect.poll(() => experimentNames(admin, namespace), { timeout: 30_000 }).toEqual([]);

      // Recorded cancelled, in its namespace; a Katib Experiment deleted is not resumed.
      await expect
        .poll(() => workbench.treeTexts("Experiments"), { timeout: 60_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(new RegExp(`^${STARTED}\\s*Cancelled · .* · cluster ${namespace}$`)),
          ]),
        );
      await expect
        .poll(() => workbench.notifications(), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^The experiment of train\.ipynb on the cluster was cancelled/),
          ]),
        );
      expect((await workbench.notifications()).join("\n")).not.toContain("Resume it");
      await workbench.screenshot("cancelled");
    },
    TUNE_TIMEOUT + 180_000,
  );
});
