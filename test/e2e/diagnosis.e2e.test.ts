import { cp } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";

describe("memory", () => {
  test("a run killed at the production memory limit opens the OOMKilled diagnosis", async (context) => {
    const { workbench } = await openVsCode(context, { name: "memory-oom" });
    await workbench.openParityView();
    await workbench.openFile("memory/memory.ipynb");
    await workbench.notebookToolbarButton("Run Locally with Production Limits").click();
    const row = await workbench.waitForTreeStatus("Runs", "memory.ipynb", "Failed", 300_000);
    expect(row).toMatch(/Failed/);
    // The diagnosis panel opens by itself when a run fails (parity.openDiagnosisOnFailure).
    const diagnosis = await workbench.webviewFrame("Diagnosis: memory.ipynb");
    const item = diagnosis.locator('[data-testid="diagnosis-item"][data-code="OOMKilled"]');
    await item.first().waitFor({ timeout: 30_000 });
    expect(await item.first().innerText()).toMatch(/128 ?Mi/);
    await workbench.screenshot("diagnosis-panel");
    // The notebook's status says so too, from the run's record (a file watcher, not a poll).
    await expect
      .poll(() => workbench.treeTexts("Environment"), { timeout: 60_000 })
      .toContainEqual(expect.stringContaining("OOMKilled at 128 MiB in the last run"));
    expect(await workbench.statusBarText()).toContain("OOMKilled at 128 MiB in the last run");
    // The failed row in the Runs view, selected: clicking it opens the run's logs in place of the diagnosis.
    const runRow = workbench.treeRow("Runs", "memory.ipynb").first();
    await runRow.click();
    await expect.poll(() => runRow.getAttribute("class")).toMatch(/\bselected\b/);
    const logs = await workbench.webviewFrame("Logs: memory.ipynb");
    await logs.locator('[data-testid="log-line"]').first().waitFor({ timeout: 30_000 });
    await workbench.screenshot("runs-failed");
  }, 420_000);
});

describe("exception", () => {
  test("the diagnosis of a Python exception opens the notebook at the failing cell", async (context) => {
    // test/fixtures/workspaces/raises: cell 3 of 4 divides by zero on its line 2.
    const { workbench } = await openVsCode(context, {
      name: "exception-open-cell",
      prepare: (workspace) =>
        cp(path.join(repoRoot, "test/fixtures/workspaces/raises"), path.join(workspace, "raises"), {
          recursive: true,
        }),
    });
    await workbench.openParityView();
    await workbench.openFile("raises/raises.ipynb");
    await workbench.notebookToolbarButton("Run Locally with Production Limits").click();
    await workbench.waitForTreeStatus("Runs", "raises.ipynb", "Failed", 300_000);
    const diagnosis = await workbench.webviewFrame("Diagnosis: raises.ipynb");
    const item = diagnosis.locator('[data-testid="diagnosis-item"][data-code="PythonException"]').first();
    await item.waitFor({ timeout: 30_000 });
    expect(await item.innerText()).toMatch(/ZeroDivisionError/);
    const link = item.locator('[data-testid="open-cell"]');
    expect((await link.innerText()).trim()).toBe("Open raises.ipynb, cell 3, line 2");
    await workbench.screenshot("diagnosis-exception");

    await link.click();
    // The notebook is in front (in the diagnosis's editor group), its third cell active and its editor focused.
    await expect.poll(() => workbench.activeTabTitle(), { timeout: 15_000 }).toMatch(/^raises\.ipynb/);
    await expect.poll(() => workbench.notebookActiveCell(), { timeout: 15_000 }).toBe("Cell 3 of 4");
    // The cursor on the failing line, line 2 of the cell.
    await expect
      .poll(() => workbench.notebookFocusedCell(), { timeout: 15_000 })
      .toEqual({
        index: 2,
        editorFocused: true,
        source: expect.stringContaining("ratio = total / 0"),
        cursorLine: "ratio = total / 0",
      });
    await workbench.screenshot("notebook-at-cell");
  }, 420_000);
});
