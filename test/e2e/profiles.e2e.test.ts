import { cp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Locator } from "playwright-core";
import { describe, expect, test } from "vitest";
import { installedVersion, notebookPython } from "../helpers/notebookPython";
import { repoRoot, resultsDir } from "./harness/paths";
import { openVsCode } from "./harness/session";

/**
 * test/fixtures/workspaces/projects as the whole workspace: forecast/ has its parity.yaml,
 * analysis/ has none and its explore.ipynb imports numpy, scikit-learn, os and a module beside it.
 */
async function projects(workspace: string): Promise<void> {
  for (const entry of await readdir(workspace)) await rm(path.join(workspace, entry), { recursive: true });
  await cp(path.join(repoRoot, "test/fixtures/workspaces/projects"), workspace, { recursive: true });
}

/** List rows (a tree's, the quick pick's) as "label | description". */
async function labelled(rows: Locator): Promise<string[]> {
  return Promise.all(
    (await rows.all()).map(async (row) => {
      const label = (await row.locator(".label-name").first().innerText()).trim();
      const description = await row
        .locator(".label-description")
        .first()
        .innerText({ timeout: 1000 })
        .catch(() => "");
      return description.trim() ? `${label} | ${description.trim()}` : label;
    }),
  );
}

const missing = (file: string) =>
  stat(file).then(
    () => false,
    () => true,
  );

describe("profiles", () => {
  test("the Environment view lists each profile with its folder, and Create Profile drafts one beside a notebook without, which Undo takes back", async (context) => {
    // The notebook's interpreter has numpy and scikit-learn (this machine's python3 has neither).
    const python = await notebookPython();
    const { workbench, workspace } = await openVsCode(context, {
      name: "profiles",
      settings: { "parity.python": python },
      prepare: projects,
    });
    const analysis = path.join(workspace, "analysis");
    await workbench.openParityView();
    // No notebook open: every profile with the folder it governs, and no pick among them.
    await expect
      .poll(() => labelled(workbench.treeRows("Environment")), { timeout: 30_000 })
      .toEqual(["parity.yaml | forecast"]);

    await workbench.openFile("analysis/explore.ipynb");
    const row = workbench.treeRow("Environment", "No profile for analysis").first();
    await row.waitFor({ timeout: 30_000 });
    expect(await labelled(workbench.treeRows("Environment"))).toEqual([
      "parity.yaml | forecast",
      "No profile for analysis | default profile",
      "explore.ipynb | not checked yet",
    ]);
    await workbench.screenshot("no-profile");

    // A click on the row itself only selects it: Create Profile writes files, so it is the row's button or menu.
    await row.click();
    await workbench.page.waitForTimeout(1500);
    expect(await workbench.page.locator(".quick-input-widget").isVisible()).toBe(false);
    expect(await missing(path.join(analysis, "parity.yaml"))).toBe(true);

    // The row's Create Profile; two folders fit (analysis/ and the workspace folder): it asks.
    await row.hover();
    await row.locator('a.action-label[aria-label="Create Profile"]').click();
    const choices = workbench.page.locator(".quick-input-widget .monaco-list-row");
    await choices.first().waitFor({ timeout: 30_000 });
    expect(await labelled(choices)).toEqual([
      "analysis | beside explore.ipynb",
      `${path.basename(workspace)} | workspace folder`,
    ]);
    await workbench.screenshot("where");
    await choices.filter({ hasText: "beside explore.ipynb" }).click();

    // parity.yaml beside the notebook, and requirements.txt with its imports pinned to the interpreter's versions.
    const profileFile = path.join(analysis, "parity.yaml");
    const requirementsFile = path.join(analysis, "requirements.txt");
    await expect.poll(() => missing(requirementsFile), { timeout: 120_000 }).toBe(false);
    const numpy = await installedVersion(python, "numpy");
    const sklearn = await installedVersion(python, "scikit-learn");
    const requirements = (await readFile(requirementsFile, "utf8"))
      .split("\n")
      .filter((line) => !line.startsWith("#"));
    expect(requirements).toEqual([`numpy==${numpy}`, `scikit-learn==${sklearn}`, ""]);
    expect(await readFile(profileFile, "utf8")).toMatch(/^\s+requirements: requirements\.txt/m);
    expect(await missing(path.join(workspace, "parity.yaml"))).toBe(true);
    await expect
      .poll(() => labelled(workbench.treeRows("Environment")), { timeout: 30_000 })
      .toEqual([
        "parity.yaml | analysis · in use",
        "parity.yaml | forecast",
        "explore.ipynb | not checked yet",
      ]);
    await workbench.collapseView("Runs");
    await workbench.screenshot("profiles-per-folder");
    // The view alone, for the README.
    await workbench
      .viewPane("Environment")
      .screenshot({ path: path.join(resultsDir, "profiles-environment-view.png") });
    expect(await workbench.errorNotifications().allInnerTexts()).toEqual([]);

    // One workspace edit: Undo in the new parity.yaml takes both files back.
    await workbench.page.locator(".editor-instance .monaco-editor textarea").first().focus();
    await workbench.page.keyboard.press("Control+Z");
    await expect.poll(() => missing(profileFile), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => missing(requirementsFile), { timeout: 15_000 }).toBe(true);
    await workbench.treeRow("Environment", "No profile for analysis").first().waitFor({ timeout: 30_000 });
  }, 600_000);

  test("Create Profile from the palette adds only what requirements.txt lacks, and Undo restores it on disk", async (context) => {
    const python = await notebookPython();
    const existing = "# analysis's own\npandas==2.2.3\nNumPy>=1.26\n";
    const { workbench, workspace } = await openVsCode(context, {
      name: "profiles-extend",
      settings: { "parity.python": python },
      prepare: async (workspace) => {
        await projects(workspace);
        await writeFile(path.join(workspace, "analysis", "requirements.txt"), existing);
      },
    });
    const profileFile = path.join(workspace, "analysis", "parity.yaml");
    const requirementsFile = path.join(workspace, "analysis", "requirements.txt");
    await workbench.openParityView();
    await workbench.openFile("analysis/explore.ipynb");
    await workbench.treeRow("Environment", "No profile for analysis").first().waitFor({ timeout: 30_000 });
    await workbench.runCommand("Parity: Create Profile");
    const choices = workbench.page.locator(".quick-input-widget .monaco-list-row");
    await choices.filter({ hasText: "beside explore.ipynb" }).click({ timeout: 30_000 });

    // Its lines kept as written; numpy is listed already, so only scikit-learn is added.
    const sklearn = await installedVersion(python, "scikit-learn");
    await expect
      .poll(() => readFile(requirementsFile, "utf8"), { timeout: 120_000 })
      .toBe(`${existing}scikit-learn==${sklearn}\n`);
    expect(await missing(profileFile)).toBe(false);
    await workbench.treeRow("Environment", "parity.yaml").filter({ hasText: "in use" }).waitFor();
    await workbench.screenshot("extended");

    // Undo in parity.yaml takes back the whole edit: the profile is gone and requirements.txt is as it was, on disk.
    await workbench.page.locator(".editor-instance .monaco-editor textarea").first().focus();
    await workbench.page.keyboard.press("Control+Z");
    await expect.poll(() => missing(profileFile), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => readFile(requirementsFile, "utf8"), { timeout: 15_000 }).toBe(existing);
    expect(await workbench.errorNotifications().allInnerTexts()).toEqual([]);
  }, 600_000);
});
