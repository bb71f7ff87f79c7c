import { describe, expect, test } from "vitest";
import { openVsCode } from "./harness/session";

// The training example builds its image from PyPI the first time (a minute or two); later runs
// reuse Docker's layer cache.
const RUN_TIMEOUT = 600_000;

describe("train", () => {
  test(
    "notebook toolbar: Run Locally with Production Limits, and the Runs view reaches Succeeded",
    async (context) => {
      const { workbench } = await openVsCode(context, { name: "train-run" });
      await workbench.openParityView();
      await workbench.openFile("train/train.ipynb");
      const run = workbench.notebookToolbarButton("Run Locally with Production Limits");
      await run.waitFor({ timeout: 30_000 });
      await workbench.screenshot("notebook-toolbar");
      await run.click();
      await workbench.treeRow("Runs", "train.ipynb").first().waitFor({ timeout: 120_000 });
      await workbench.screenshot("runs-started");
      const row = await workbench.waitForTreeStatus("Runs", "train.ipynb", "Succeeded", RUN_TIMEOUT);
      expect(row).toMatch(/Succeeded.*exit 0/);
      // The logs panel opened when the run started; let it show the lines before the picture.
      const logs = await workbench.webviewFrame("Logs: train.ipynb");
      await logs.locator('[data-testid="log-line"]').first().waitFor({ timeout: 30_000 });
      await workbench.screenshot("runs-succeeded");

      // Closed, the logs come back from the Runs view: the row's context menu, Open Logs.
      await workbench.closeEditorTab("Logs: train.ipynb");
      await workbench.contextMenu(workbench.treeRow("Runs", "train.ipynb").first(), "Open Logs");
      const reopened = await workbench.webviewFrame("Logs: train.ipynb");
      await expect
        .poll(() => reopened.locator('[data-testid="log-line"]').allInnerTexts(), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringContaining("trained 50 trees on 1347 images"),
            expect.stringMatching(/test accuracy: 0\.\d{3}/),
            expect.stringContaining("wrote outputs/model.pkl"),
          ]),
        );
      await expect
        .poll(() => reopened.locator('[data-testid="log-status"]').innerText(), { timeout: 10_000 })
        .toMatch(/^train\.ipynb · succeeded/);
      await workbench.screenshot("logs-from-runs-view");
    },
    RUN_TIMEOUT + 120_000,
  );

  test(
    "the logs panel shows the notebook's printed lines",
    async (context) => {
      const { workbench } = await openVsCode(context, { name: "train-logs" });
      await workbench.openParityView();
      await workbench.openFile("train/train.ipynb");
      await workbench.runCommand("Parity: Run Locally with Production Limits");
      // The logs panel opens by itself when the run starts (parity.openLogsOnRun).
      const logs = await workbench.webviewFrame("Logs: train.ipynb");
      await workbench.waitForTreeStatus("Runs", "train.ipynb", "Succeeded", RUN_TIMEOUT);
      const lines = logs.locator('[data-testid="log-line"]');
      // What the notebook prints (examples/train/train.ipynb): digits has 1797 images, a quarter for the test.
      await expect
        .poll(() => lines.allInnerTexts(), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringContaining("trained 50 trees on 1347 images"),
            expect.stringMatching(/test accuracy: 0\.\d{3}/),
            expect.stringContaining("wrote outputs/model.pkl"),
          ]),
        );
      await workbench.screenshot("logs-panel");
      // Search highlights and counts matches.
      await logs.locator('[data-testid="log-search"]').first().click();
      await workbench.page.keyboard.type("accuracy");
      await expect
        .poll(() => logs.locator('[data-testid="log-match-count"]').first().innerText(), { timeout: 10_000 })
        .toBe("1 of 1");
      await workbench.screenshot("logs-search");
    },
    RUN_TIMEOUT + 120_000,
  );
});
