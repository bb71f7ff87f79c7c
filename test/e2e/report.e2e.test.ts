import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";

const execFileAsync = promisify(execFile);

/** examples/train with scikit-learn unpinned: listed bare in requirements.txt, no %pip pin in the notebook. */
async function unpinTrain(workspace: string): Promise<void> {
  const dir = path.join(workspace, "train");
  await writeFile(path.join(dir, "requirements.txt"), "scikit-learn\n");
  const notebookFile = path.join(dir, "train.ipynb");
  const notebook = JSON.parse(await readFile(notebookFile, "utf8")) as {
    cells: Array<{ cell_type: string; source: string[] }>;
  };
  for (const cell of notebook.cells) {
    cell.source = cell.source.filter((line) => !line.startsWith("%pip install"));
  }
  await writeFile(notebookFile, JSON.stringify(notebook, null, 1));
  // The image the report compares against, built by the CLI as a user would before opening the report.
  await execFileAsync(process.execPath, [path.join(repoRoot, "bin/parity.js"), "build", "train.ipynb"], {
    cwd: dir,
    timeout: 600_000,
  });
}

describe("report", () => {
  test("the parity report pins an unpinned requirement on disk, and Undo restores it", async (context) => {
    const { workbench, workspace } = await openVsCode(context, { name: "report-fix", prepare: unpinTrain });
    const requirements = path.join(workspace, "train", "requirements.txt");
    await workbench.openParityView();
    await workbench.openFile("train/train.ipynb");
    await workbench.notebookToolbarButton("Check Parity").click();
    await workbench.runCommand("Parity: Open Parity Report");
    const report = await workbench.webviewFrame("Parity Report: train.ipynb");
    const item = report.locator('[data-testid="report-item"][data-code="RequirementUnpinned"]');
    await item.first().waitFor({ timeout: 180_000 });
    await workbench.screenshot("report-panel");
    const before = await workbench.statusBarText();
    await item.first().locator('[data-testid="apply-fix"]').click();
    await expect
      .poll(() => readFile(requirements, "utf8"), { timeout: 30_000 })
      .toMatch(/^scikit-learn==\d+\.\d+(\.\d+)?\s*$/);
    await workbench.screenshot("report-fixed");

    // The fix was one workspace edit: Undo in the file's editor takes it back.
    await workbench.openFile("train/requirements.txt");
    await workbench.page.locator(".editor-instance .monaco-editor textarea").first().focus();
    await workbench.page.keyboard.press("Control+Z");
    await workbench.page.keyboard.press("Control+S");
    await expect.poll(() => readFile(requirements, "utf8"), { timeout: 15_000 }).toBe("scikit-learn\n");
    // The undone fix is seen on disk and the report made again: the status is what it was before.
    await expect.poll(() => workbench.statusBarText(), { timeout: 60_000 }).toBe(before);
    await workbench.screenshot("report-undone");
  }, 900_000);

  test("before the image is built the report never claims a match, and it follows edits of the requirements", async (context) => {
    // examples/train as a new user has it: requirements.txt pins scikit-learn, the notebook imports
    // it, this machine's python3 lacks it, and no image is built.
    const { workbench, workspace } = await openVsCode(context, { name: "report-unbuilt" });
    await workbench.openParityView();
    await workbench.openFile("train/train.ipynb");
    await workbench.notebookToolbarButton("Check Parity").click();
    await expect.poll(() => workbench.statusBarText(), { timeout: 120_000 }).toMatch(/requirements only/);
    const before = await workbench.statusBarText();
    expect(before).not.toMatch(/matches production/);

    await workbench.runCommand("Parity: Open Parity Report");
    const report = await workbench.webviewFrame("Parity Report: train.ipynb");
    const summary = report.locator('[data-testid="report-summary"]');
    await expect.poll(() => summary.innerText(), { timeout: 60_000 }).toMatch(/requirements only/);
    expect(await report.locator('[data-testid="report-verdict"]').innerText()).not.toMatch(
      /matches production/i,
    );
    expect(await report.locator('[data-testid="report-basis"]').innerText()).toContain(
      "image not built yet: packages compared with requirements only",
    );
    const missing = report.locator('[data-testid="report-item"][data-code="PackageMissingLocal"]');
    expect(await missing.first().innerText()).toContain("scikit-learn");
    // The Production column is the profile's limits and the requirements' pin, each with its source.
    const memory = report.locator("table.compare tr", { hasText: "Memory" }).first();
    expect(await memory.innerText()).toMatch(/1 GiB limit\s+(train\/)?parity\.yaml/);
    const sklearn = report.locator("table.compare tr", { hasText: "scikit-learn" }).first();
    expect(await sklearn.innerText()).toMatch(/==1\.7\.2\s+(train\/)?requirements\.txt/);
    await workbench.screenshot("report-unbuilt");

    // An edit on disk makes the report again (a file watcher): an unpinned numpy is one more mismatch.
    await writeFile(path.join(workspace, "train", "requirements.txt"), "scikit-learn==1.7.2\nnumpy\n");
    const mismatches = (text: string) => Number(/(\d+) mismatch/.exec(text)?.[1] ?? 0);
    await expect
      .poll(async () => mismatches(await workbench.statusBarText()), { timeout: 60_000 })
      .toBe(mismatches(before) + 1);
  }, 600_000);
});
