import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { describe, expect, inject, test } from "vitest";
import { freshNamespace, kubeConfig } from "../cluster/harness/context";
import { jobSpec, protectedNamespace, recordedClusterRun } from "../kube/helpers/clusterRuns";
import { createParityJob, jobNames } from "./harness/clusterObjects";
import { openVsCode } from "./harness/session";
import type { Workbench } from "./harness/workbench";

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

/** A namespace labelled parity.dev/protected=true, holding a Job as Parity submits one (its labels). */
async function protectedNamespaceWithRun(admin: KubeConfig, jobName: string): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  const namespace = await freshNamespace(admin, "e2e-prod");
  const read = await core.readNamespace({ name: namespace });
  read.metadata = { ...read.metadata, labels: { ...read.metadata?.labels, "parity.dev/protected": "true" } };
  await core.replaceNamespace({ name: namespace, body: read });
  await createParityJob(admin, namespace, jobName, "e2e-guarded-run");
  return namespace;
}

async function pytorchJobNames(admin: KubeConfig, namespace: string): Promise<string[]> {
  const list = (await admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: "kubeflow.org",
    version: "v1",
    namespace,
    plural: "pytorchjobs",
  })) as { items: { metadata: { name: string } }[] };
  return list.items.map((item) => item.metadata.name);
}

/** The text of the active editor, every line of it: Monaco renders only what is in view, so it pages down. */
async function editorLines(workbench: Workbench): Promise<string[]> {
  const editor = workbench.page.locator(".editor-instance .monaco-editor").first();
  await editor.locator(".view-lines").waitFor();
  await editor.locator("textarea").first().focus();
  const seen = new Set<string>();
  for (let page = 0; page < 10; page++) {
    const lines = await editor.locator(".view-line").allInnerTexts();
    const before = seen.size;
    lines.forEach((line) => seen.add(line.replace(/\u00a0/g, " ").trimEnd()));
    if (page > 0 && seen.size === before) break;
    await workbench.page.keyboard.press("PageDown");
  }
  return [...seen];
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

  test("Cluster view: Delete Cluster Run in a protected namespace refuses a wrong name and deletes once the Job's name is typed", async (context) => {
    const cluster = inject("parityCluster");
    const admin = kubeConfig(cluster.kubeconfigs.admin);
    const jobName = "e2e-guarded";
    const namespace = await protectedNamespaceWithRun(admin, jobName);
    // The Cluster view shows the namespace chosen for the window (Select Namespace writes this setting).
    const { workbench } = await openVsCode(context, {
      name: "cluster-delete",
      env: { KUBECONFIG: cluster.kubeconfigs.admin },
      settings: { "parity.cluster.namespace": namespace },
    });
    await workbench.openParityView();
    await workbench.expandView("Cluster");
    const row = workbench.treeRow("Cluster", jobName).first();
    await row.waitFor({ timeout: 60_000 });
    await workbench.contextMenu(row, "Delete Cluster Run");

    const input = workbench.page.locator(".quick-input-widget input.input");
    await input.waitFor({ timeout: 30_000 });
    expect(await workbench.page.locator(".quick-input-widget").innerText()).toContain(
      `${namespace} is a protected namespace: type ${jobName}`,
    );
    await input.fill(`${jobName}-x`);
    await input.press("Enter");
    await expect
      .poll(() => workbench.page.locator(".quick-input-widget .quick-input-message").innerText())
      .toContain(`Type ${jobName} exactly.`);
    expect(await input.isVisible()).toBe(true);
    expect(await jobNames(admin, namespace)).toContain(jobName);
    await workbench.screenshot("delete-wrong-name");

    await input.fill(jobName);
    await input.press("Enter");
    await input.waitFor({ state: "hidden", timeout: 5_000 });
    await expect.poll(() => jobNames(admin, namespace), { timeout: 30_000 }).not.toContain(jobName);
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(0);
  }, 180_000);

  test("Runs view: Cancel Run in a protected namespace deletes nothing until the Job's name is typed exactly", async (context) => {
    const cluster = inject("parityCluster");
    const admin = kubeConfig(cluster.kubeconfigs.admin);
    let guarded = { namespace: "", name: "" };
    const { workbench } = await openVsCode(context, {
      name: "cluster-cancel",
      env: { KUBECONFIG: cluster.kubeconfigs.admin },
      prepare: async (workspace) => {
        // The train example's notebook, with its record in train/.parity/runs for the window to pick up.
        const namespace = await protectedNamespace(admin, "e2e-prod");
        const job = {
          ...jobSpec("e2e-cancel-1"),
          notebookFile: path.join(workspace, "train", "train.ipynb"),
          workspaceDir: path.join(workspace, "train"),
        };
        const run = await recordedClusterRun(cluster.kubeconfigs.admin, namespace, "e2e-cancel-1", { job });
        guarded = { namespace, name: run.name };
      },
    });
    const { namespace, name } = guarded;
    await workbench.openParityView();
    await workbench.waitForTreeStatus("Runs", "train.ipynb", "Running", 60_000);
    // Listed first as left by a process that went away, the run is then followed by this window,
    // and its row offers Cancel Run.
    const row = workbench.treeRow("Runs", "train.ipynb").first();
    await expect.poll(() => row.innerText(), { timeout: 30_000 }).not.toContain("process gone");
    await workbench.contextMenu(row, "Cancel Run");

    const input = workbench.page.locator(".quick-input-widget input.input");
    await input.waitFor({ timeout: 30_000 });
    expect(await workbench.page.locator(".quick-input-widget").innerText()).toContain(
      `${namespace} is a protected namespace: type ${name}`,
    );
    await input.fill(`${name}-x`);
    await input.press("Enter");
    await expect
      .poll(() => workbench.page.locator(".quick-input-widget .quick-input-message").innerText())
      .toContain(`Type ${name} exactly.`);
    expect(await input.isVisible()).toBe(true);
    expect(await jobNames(admin, namespace)).toContain(name);
    await workbench.screenshot("cancel-wrong-name");

    await input.fill(name);
    await input.press("Enter");
    await input.waitFor({ state: "hidden", timeout: 5_000 });
    await expect.poll(() => jobNames(admin, namespace), { timeout: 30_000 }).not.toContain(name);
    // The window that follows the run records it cancelled.
    await workbench.waitForTreeStatus("Runs", "train.ipynb", "Cancelled", 60_000);
  }, 180_000);

  test(
    "progress toast: its Cancel in a protected namespace asks for the workload's name before deleting it",
    async (context) => {
      const cluster = inject("parityCluster");
      const registry = inject("parityRegistry");
      const admin = kubeConfig(cluster.kubeconfigs.admin);
      const namespace = await freshNamespace(admin, "e2e-prod");
      const { workbench } = await openVsCode(context, {
        name: "cluster-toast-cancel",
        env: { KUBECONFIG: cluster.kubeconfigs.admin },
        prepare: async (workspace) => {
          // The profile protects its namespace (cluster.protected defaults to true). A PyTorchJob:
          // kwok completes a Job's pod at once, a training operator's pods stay Running.
          await pointAtCluster(workspace, admin.getCurrentContext(), namespace, registry.host);
          const file = path.join(workspace, "train", "parity.yaml");
          await writeFile(
            file,
            `${await readFile(file, "utf8")}  distributed: { kind: PyTorchJob, workers: 1 }\n`,
          );
        },
      });
      await workbench.openParityView();
      await workbench.openFile("train/train.ipynb");
      const run = workbench.notebookToolbarButton("Run on Cluster");
      await expect.poll(() => run.getAttribute("class"), { timeout: 30_000 }).not.toMatch(/\bdisabled\b/);
      await run.click();
      const toast = workbench.page
        .locator(".notification-toast")
        .filter({ hasText: "(cancel deletes the PyTorchJob)" })
        .first();
      await toast.waitFor({ timeout: RUN_TIMEOUT });
      const name = /as PyTorchJob [^/\s]+\/(\S+)/.exec(await toast.innerText())?.[1] ?? "";
      expect(name).not.toBe("");
      await toast.hover();
      await toast.getByRole("button", { name: "Cancel" }).click();

      const input = workbench.page.locator(".quick-input-widget input.input");
      await input.waitFor({ timeout: 30_000 });
      expect(await workbench.page.locator(".quick-input-widget").innerText()).toContain(
        `${namespace} is a protected namespace: type ${name}`,
      );
      await workbench.screenshot("toast-cancel-asks");
      await input.fill(`${name}-x`);
      await input.press("Enter");
      await expect
        .poll(() => workbench.page.locator(".quick-input-widget .quick-input-message").innerText())
        .toContain(`Type ${name} exactly.`);
      expect(await pytorchJobNames(admin, namespace)).toContain(name);

      await input.fill(name);
      await input.press("Enter");
      await expect.poll(() => pytorchJobNames(admin, namespace), { timeout: 30_000 }).not.toContain(name);
      await workbench.waitForTreeStatus("Runs", "train.ipynb", "Cancelled", 60_000);
    },
    RUN_TIMEOUT + 180_000,
  );

  test(
    "Runs view: Rerun of a cluster run goes to its context and namespace, not the profile's, and says where",
    async (context) => {
      const cluster = inject("parityCluster");
      const registry = inject("parityRegistry");
      const admin = kubeConfig(cluster.kubeconfigs.admin);
      const kubeContext = admin.getCurrentContext();
      const profileNamespace = await freshNamespace(admin, "e2e");
      const runNamespace = await freshNamespace(admin, "e2e-rerun");
      const { workbench } = await openVsCode(context, {
        name: "cluster-rerun",
        env: { KUBECONFIG: cluster.kubeconfigs.admin },
        prepare: async (workspace) => {
          await pointAtCluster(workspace, kubeContext, profileNamespace, registry.host);
          // A run of the train example that went to another namespace, and ended.
          const job = {
            ...jobSpec("e2e-rerun-1"),
            notebookFile: path.join(workspace, "train", "train.ipynb"),
            workspaceDir: path.join(workspace, "train"),
          };
          await recordedClusterRun(cluster.kubeconfigs.admin, runNamespace, "e2e-rerun-1", {
            job,
            status: "succeeded",
          });
        },
      });
      await workbench.openParityView();
      await workbench.waitForTreeStatus("Runs", "train.ipynb", "Succeeded", 60_000);
      await workbench.contextMenu(workbench.treeRow("Runs", "train.ipynb").first(), "Rerun");
      await expect
        .poll(() => workbench.notifications(), { timeout: 60_000 })
        .toContainEqual(
          expect.stringContaining(`Rerunning train.ipynb on cluster ${kubeContext}/${runNamespace}`),
        );
      await workbench.screenshot("rerun-progress");
      // The new run's Job, beside the recorded one, in the run's namespace; none in the profile's.
      await expect
        .poll(async () => (await jobNames(admin, runNamespace)).length, { timeout: RUN_TIMEOUT })
        .toBe(2);
      expect(await jobNames(admin, profileNamespace)).toEqual([]);
    },
    RUN_TIMEOUT + 180_000,
  );

  test("Parity: Show Cluster Manifest opens the Job's YAML with the profile's limits", async (context) => {
    const cluster = inject("parityCluster");
    const registry = inject("parityRegistry");
    const admin = kubeConfig(cluster.kubeconfigs.admin);
    const namespace = await freshNamespace(admin, "e2e");
    const { workbench } = await openVsCode(context, {
      name: "cluster-manifest",
      env: { KUBECONFIG: cluster.kubeconfigs.admin },
      prepare: (workspace) => pointAtCluster(workspace, admin.getCurrentContext(), namespace, registry.host),
    });
    await workbench.openFile("train/train.ipynb");
    await workbench.runCommand("Parity: Show Cluster Manifest");
    await workbench.page
      // An untitled editor's tab is named after its first line: "apiVersion: batch/v1 Untitled-1".
      .locator('.tabs-container .tab[aria-label*="Untitled"]')
      .first()
      .waitFor({ timeout: 60_000 });
    const lines = await editorLines(workbench);
    expect(lines).toContain("kind: Job");
    expect(lines.some((line) => line.trim() === `namespace: ${namespace}`)).toBe(true);
    // The example profile's resources: memory 1Gi, cpu 1, shm 64Mi (requests equal limits).
    const memory = lines.filter((line) => /^\s+memory: "?1Gi"?$/.test(line));
    expect(memory.length).toBeGreaterThan(0);
    expect(lines.some((line) => /^\s+cpu: "?(1|1000m)"?$/.test(line))).toBe(true);
    expect(lines.some((line) => /^\s+sizeLimit: "?64Mi"?$/.test(line))).toBe(true);
    expect(lines.some((line) => line.trim() === "limits:")).toBe(true);
    await workbench.screenshot("manifest");
  }, 180_000);
});
