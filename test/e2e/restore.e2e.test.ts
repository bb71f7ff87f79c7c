import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { resultsDir } from "./harness/paths";
import { openVsCode } from "./harness/session";

const runId = "memory-20261129-080000-e2e1";

/** A run of memory.ipynb recorded as the extension records one: killed at its 128 MiB limit. */
async function recordRun(workspace: string): Promise<void> {
  const dir = path.join(workspace, "memory", ".parity", "runs", runId);
  await mkdir(dir, { recursive: true });
  const notebook = path.join(workspace, "memory", "memory.ipynb");
  const result: RunResult = {
    runId,
    target: "local",
    status: "failed",
    exitCode: 137,
    oomKilled: true,
    image: "parity/memory:e2e",
    notebook,
    startedAt: "2026-11-29T08:00:00.000Z",
    finishedAt: "2026-11-29T08:00:04.000Z",
    durationMs: 4000,
    memoryLimitBytes: 128 * 1024 ** 2,
    diagnosis: [
      {
        code: "OOMKilled",
        severity: "error",
        message: "The run was killed at its 128 MiB memory limit.",
        fix: "Use less memory, or raise resources.memory in parity.yaml.",
      },
    ],
  };
  await writeFile(path.join(dir, "run.json"), `${JSON.stringify(result, null, 2)}\n`);
  const lines = Array.from({ length: 20 }, (_, index) => ({
    stream: "stdout",
    text: `allocated ${(index + 1) * 6} MiB`,
    time: Date.parse("2026-11-29T08:00:01.000Z") + index * 100,
  }));
  await writeFile(path.join(dir, "logs.jsonl"), lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
}

describe("restore", () => {
  test("the logs and diagnosis panels of a run come back with their content after Reload Window", async (context) => {
    const { workbench } = await openVsCode(context, { name: "restore", prepare: recordRun });
    const page = workbench.page;
    // The webviews' console (service worker messages, failed loads) is kept when the test fails.
    const consoleLog: string[] = [];
    page.on("console", (message) =>
      consoleLog.push(`${new Date().toISOString()} ${message.type()} ${message.text()}`),
    );
    context.onTestFinished(async ({ task }) => {
      if (task.result?.state !== "fail") return;
      await mkdir(resultsDir, { recursive: true });
      await writeFile(path.join(resultsDir, "restore-console.log"), `${consoleLog.join("\n")}\n`);
    });
    await workbench.openParityView();
    await workbench.treeRow("Runs", "memory.ipynb").first().waitFor({ timeout: 60_000 });
    await workbench.openFile("memory/memory.ipynb");
    // As when a run fails: its logs panel opens, then its diagnosis covers it in the same group
    // (often before the logs page has loaded, so the logs webview may never save a state).
    await workbench.runCommand("Parity: Open Logs");
    await workbench.editorTab("Logs: memory.ipynb").waitFor({ timeout: 30_000 });
    await workbench.runCommand("Parity: Open Diagnosis");
    const before = await workbench.webviewFrame("Diagnosis: memory.ipynb");
    await before
      .locator('[data-testid="diagnosis-item"][data-code="OOMKilled"]')
      .waitFor({ timeout: 30_000 });
    // The focus back in the notebook: a focused webview keeps F1 to itself.
    await page.locator('.tabs-container .tab[aria-label^="memory.ipynb"]').first().click();

    const reloaded = page.waitForEvent("load", { timeout: 60_000 });
    await workbench.runCommand("Developer: Reload Window");
    await reloaded;
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });

    const diagnosis = await workbench.webviewFrame("Diagnosis: memory.ipynb");
    const item = diagnosis.locator('[data-testid="diagnosis-item"][data-code="OOMKilled"]');
    await item.waitFor({ timeout: 60_000 });
    expect(await item.innerText()).toMatch(/128 ?MiB/);
    await workbench.screenshot("diagnosis-restored");

    const logs = await workbench.webviewFrame("Logs: memory.ipynb");
    const line = logs.locator('[data-testid="log-line"]');
    await line.first().waitFor({ timeout: 60_000 });
    expect(await line.first().innerText()).toContain("allocated 6 MiB");
    expect(await logs.locator('[data-testid="log-status"]').innerText()).toMatch(/memory\.ipynb · failed/);
    await workbench.screenshot("logs-restored");
    // The Follow toggle reads "Follow" once (its label attribute only, no slotted text as well).
    const follow = logs.locator('[data-testid="log-follow"]');
    expect(await follow.evaluate((box) => box.shadowRoot?.textContent?.replace(/\s+/g, " ").trim())).toBe(
      "Follow",
    );
  }, 300_000);
});
