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
    // Give activation a moment to report a failure, if it is going to.
    await workbench.page.waitForTimeout(3000);
    await workbench.screenshot("views");
    expect(server.extensionHostLog()).not.toMatch(
      new RegExp(`Activating extension '?${extensionId}'? failed`, "i"),
    );
    expect(await workbench.errorNotifications().allInnerTexts()).toEqual([]);
  });
});
