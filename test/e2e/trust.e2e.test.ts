import { stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { openVsCode } from "./harness/session";

/** The error code of a failed stat: "ENOENT" when the path does not exist; undefined when it does. */
async function statError(file: string): Promise<string | undefined> {
  try {
    await stat(file);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

describe("trust", () => {
  test("in Restricted Mode the views still browse, and the run command is refused with the explanation", async (context) => {
    const { workbench, workspace } = await openVsCode(context, { name: "trust-restricted", trust: "prompt" });
    // VS Code asks whether to trust the folder's authors: answer no.
    await workbench.dialog().waitFor({ timeout: 60_000 });
    await workbench.screenshot("trust-prompt");
    await workbench.clickDialogButton(/No, I don't trust/);
    await workbench.dialog().waitFor({ state: "hidden" });
    await workbench.openParityView();
    await workbench.openFile("train/train.ipynb");
    // Browsing is allowed in Restricted Mode: the Environment view reads the profile.
    await workbench.treeRow("Environment", "parity.yaml").first().waitFor({ timeout: 30_000 });
    await workbench.screenshot("restricted-views");

    await workbench.runCommand("Parity: Run Locally with Production Limits");
    const refusal = workbench.page
      .locator(".notification-toast .notification-list-item-message")
      .filter({ hasText: "Restricted Mode" })
      .first();
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.innerText()).toMatch(/does not run notebooks in Restricted Mode.*Trust/);
    await workbench.waitForToastShown(refusal);
    await workbench.screenshot("restricted-refusal");

    // Nothing ran: the Runs view gets no row (watched for 2 s, a late one would count) and the
    // notebook's project folder, which is there, has no run records (.parity/runs does not exist).
    await workbench.expectNoTreeRow("Runs", "train.ipynb", 2000);
    expect((await stat(path.join(workspace, "train", "train.ipynb"))).isFile()).toBe(true);
    expect(await statError(path.join(workspace, "train", ".parity", "runs"))).toBe("ENOENT");

    // Checking is allowed, and says what Restricted Mode kept it from comparing: no "matches production".
    await workbench.runCommand("Parity: Check Parity");
    await expect
      .poll(
        async () => (await workbench.treeTexts("Environment")).find((text) => text.startsWith("train.ipynb")),
        {
          timeout: 60_000,
        },
      )
      .toMatch(/interpreter not probed · requirements only$/);
    const texts = await workbench.treeTexts("Environment");
    expect(texts.join("\n")).not.toMatch(/matches production/);
    expect(await workbench.statusBarText()).toMatch(/interpreter not probed · requirements only/);
  });
});
