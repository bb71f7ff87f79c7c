import { describe, expect, test } from "vitest";
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
    await workbench.screenshot("runs-failed");
  }, 420_000);
});
