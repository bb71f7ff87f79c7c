import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { openVsCode } from "./harness/session";

describe("trust", () => {
  test("in Restricted Mode the run command is refused with the explanation", async (context) => {
    const { workbench, workspace } = await openVsCode(context, { name: "trust-restricted", trust: "prompt" });
    // VS Code asks whether to trust the folder's authors: answer no.
    await workbench.dialog().waitFor({ timeout: 60_000 });
    await workbench.screenshot("trust-prompt");
    await workbench.clickDialogButton(/No, I don't trust/);
    await workbench.dialog().waitFor({ state: "hidden" });
    await workbench.openParityView();
    await workbench.openFile("train/train.ipynb");
    await workbench.runCommand("Parity: Run Locally with Production Limits");
    const refusal = workbench.page
      .locator(".notification-toast .notification-list-item-message")
      .filter({ hasText: "Restricted Mode" });
    await refusal.first().waitFor({ timeout: 30_000 });
    expect(await refusal.first().innerText()).toMatch(/does not run notebooks in Restricted Mode.*Trust/);
    await workbench.page.waitForTimeout(600); // the toast's fade-in, for the picture
    await workbench.screenshot("restricted-refusal");
    // Nothing ran: no run record in the workspace.
    const runs = await readdir(path.join(workspace, "train", ".parity", "runs")).catch(() => []);
    expect(runs).toEqual([]);
    expect(await workbench.treeRows("Runs").filter({ hasText: "train.ipynb" }).count()).toBe(0);
  });
});
