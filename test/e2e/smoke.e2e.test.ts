import { describe, expect, test } from "vitest";
import { openVsCode } from "./harness/session";
import { extensionId } from "./harness/workbench";

describe("smoke", () => {
  test("the Parity activity bar entry opens the Environment and Runs views and activates without an error", async (context) => {
    const { workbench, server } = await openVsCode(context, { name: "smoke" });
    await workbench.openParityView();
    await expect.poll(() => workbench.viewPane("Environment").isVisible()).toBe(true);
    await expect.poll(() => workbench.viewPane("Runs").isVisible()).toBe(true);
    // Opening a view activates the extension (implicit activation from its contributions).
    await expect
      .poll(() => server.extensionHostLog(), { timeout: 30_000 })
      .toContain(`_doActivateExtension ${extensionId}`);
    // With a notebook open: its profile in the Environment view, the target and parity state in the status bar.
    await workbench.openFile("train/train.ipynb");
    await workbench.treeRow("Environment", "parity.yaml").first().waitFor({ timeout: 30_000 });
    await expect
      .poll(() => workbench.statusBarText("Parity:"), { timeout: 30_000 })
      .toMatch(/^Parity: local/);
    await workbench.screenshot("views");
    expect(server.extensionHostLog()).not.toMatch(
      new RegExp(`Activating extension '?${extensionId}'? failed`, "i"),
    );
    expect(await workbench.errorNotifications().allInnerTexts()).toEqual([]);
  });
});
