import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { openVsCode } from "./harness/session";
import type { Workbench } from "./harness/workbench";

/** A kubeconfig with two contexts and no current-context, its server a port nobody listens on. */
const KUBECONFIG_WITHOUT_CONTEXT = `apiVersion: v1
kind: Config
clusters:
  - name: nowhere
    cluster: { server: "https://127.0.0.1:9" }
users:
  - name: someone
    user: { token: not-a-token }
contexts:
  - name: ctx-a
    context: { cluster: nowhere, user: someone }
  - name: ctx-b
    context: { cluster: nowhere, user: someone }
`;

/** The Cluster view's welcome content (shown while its tree is empty). */
function clusterWelcome(workbench: Workbench) {
  return workbench.viewPane("Cluster").locator(".welcome-view");
}

/** A notification toast holding `text`, and its buttons' labels. */
function toast(workbench: Workbench, text: string) {
  const item = workbench.page
    .locator(".notification-toast .notification-list-item")
    .filter({ hasText: text })
    .first();
  return {
    item,
    message: item.locator(".notification-list-item-message"),
    buttons: () => item.locator(".notification-list-item-buttons-container .monaco-button").allInnerTexts(),
    button: (label: string) =>
      item.locator(".notification-list-item-buttons-container .monaco-button", { hasText: label }),
  };
}

/** The label Run on Cluster and each of its twins show on the toolbar (package.json `shortTitle`). */
const RUN_ON_CLUSTER_LABEL = "Run on Cluster";

/**
 * Whether the open notebook's toolbar offers an action, by its exact title: as a button (whose accessible name is the
 * whole title), or in its overflow menu where the labels do not fit (the menu is closed again). Run on Cluster's twins
 * all read "Run on Cluster" there, so finding that label in the menu fails the test rather than guess which it is.
 */
async function toolbarOffers(workbench: Workbench, title: string): Promise<boolean> {
  const toolbar = workbench.page.locator(".notebook-toolbar-container");
  if (await toolbar.locator(`a.action-label[aria-label="${title}"]`).filter({ visible: true }).count())
    return true;
  const more = toolbar.locator('a.action-label[aria-label^="More Actions"]').first();
  if (!(await more.isVisible())) return false;
  await more.click();
  const menu = workbench.page.locator(".context-view .monaco-menu").first();
  await menu.waitFor({ timeout: 5_000 });
  const items = await menu.getByRole("menuitem").allInnerTexts();
  await workbench.page.keyboard.press("Escape");
  await menu.waitFor({ state: "hidden", timeout: 2_000 }).catch(() => undefined);
  if (title.startsWith(RUN_ON_CLUSTER_LABEL) && items.some((item) => item.trim() === RUN_ON_CLUSTER_LABEL))
    throw new Error(
      `Run on Cluster is in the toolbar's overflow menu, where "${title}" cannot be told apart`,
    );
  return items.some((item) => item.trim() === title);
}

/** Clicks an action of the open notebook's toolbar, on the toolbar or in its overflow menu. */
async function clickToolbarAction(workbench: Workbench, title: string): Promise<void> {
  const action = await workbench.notebookAction(title);
  const menu = workbench.page.locator(".context-view .monaco-menu").first();
  const inMenu = await menu.isVisible();
  // A menu ignores a click that comes right after it opened: clicked until it closes.
  for (let attempt = 1; ; attempt++) {
    await action.click();
    if (!inMenu) return;
    const closed = await menu
      .waitFor({ state: "hidden", timeout: 2000 })
      .then(() => true)
      .catch(() => false);
    if (closed) return;
    if (attempt === 3) throw new Error(`the toolbar's overflow menu stayed open after clicking "${title}"`);
  }
}

/** Answers VS Code's own file dialog (code-server's is a quick input) with a file's whole path. */
async function pickFile(workbench: Workbench, file: string, accept: string): Promise<void> {
  const dialog = workbench.page.locator(".quick-input-widget");
  const input = dialog.locator("input.input");
  const rows = dialog.locator(".monaco-list-row");
  // The dialog fills in its folder once it has read it: typed over only after that.
  await rows.first().waitFor({ timeout: 15_000 });
  await input.fill(file);
  await rows
    .filter({ hasText: path.basename(file) })
    .first()
    .waitFor({ timeout: 15_000 });
  await dialog.locator(".monaco-button", { hasText: accept }).click();
  await input.waitFor({ state: "hidden", timeout: 15_000 });
}

describe("empty and error states", () => {
  test("no kubeconfig: the Cluster view says where Parity looked, Run on Cluster says why it cannot run, and a file picked is used", async (context) => {
    // No KUBECONFIG, and a home without ~/.kube/config: nothing for Parity to find.
    const home = await mkdtemp(path.join(tmpdir(), "parity-e2e-home-"));
    const kubeconfig = path.join(home, "downloads", "team.kubeconfig");
    try {
      await mkdir(path.dirname(kubeconfig), { recursive: true });
      await writeFile(kubeconfig, KUBECONFIG_WITHOUT_CONTEXT);
      const { workbench, server } = await openVsCode(context, {
        name: "empty-no-kubeconfig",
        env: { KUBECONFIG: "", HOME: home },
      });
      await workbench.openParityView();
      await workbench.openFile("train/train.ipynb");
      // Room for the Cluster view, whose welcome is the picture.
      for (const view of ["Environment", "Runs", "Pipelines", "Experiments", "Endpoints"])
        await workbench.collapseView(view);
      await workbench.expandView("Cluster");
      const welcome = clusterWelcome(workbench);
      await welcome.getByText("Parity found no kubeconfig").waitFor({ timeout: 60_000 });
      const text = (await welcome.innerText()).replace(/\s+/g, " ");
      expect(text).toContain("KUBECONFIG");
      expect(text).toContain("~/.kube/config");
      expect(text).toContain("Parity › Cluster: Kubeconfig");
      expect(await welcome.getByRole("button").allInnerTexts()).toEqual([
        "Select Kubeconfig File",
        "Open Docs",
      ]);
      // The welcome stands in for the rows: no red "No context" row that explains nothing.
      expect(await workbench.treeRows("Cluster").count()).toBe(0);
      await workbench
        .notebookToolbarButton("Run Locally with Production Limits")
        .waitFor({ timeout: 30_000 });
      // The README's picture (docs/screenshots/cluster-welcome.png).
      await workbench.screenshot("cluster-welcome");

      // Run on Cluster's place on the toolbar says why, on hover (its title) and on a click.
      await workbench
        .notebookToolbarButton("Run Locally with Production Limits")
        .waitFor({ timeout: 30_000 });
      await expect
        .poll(() => toolbarOffers(workbench, "Run on Cluster: No Cluster Found"), { timeout: 30_000 })
        .toBe(true);
      expect(await toolbarOffers(workbench, "Run on Cluster")).toBe(false);
      // The toolbar stays short: the twin reads "Run on Cluster" with its own icon, and says why on hover.
      const twin = workbench.notebookToolbarButton("Run on Cluster: No Cluster Found");
      // The button's anchor holds its icon and accessible name; the label beside it, in the same action item.
      expect((await twin.locator("xpath=..").innerText()).trim()).toBe(RUN_ON_CLUSTER_LABEL);
      await twin.hover();
      await workbench.page
        .locator(".workbench-hover, .monaco-hover")
        .filter({ hasText: "Run on Cluster: No Cluster Found" })
        .first()
        .waitFor({ timeout: 10_000 });
      await workbench.screenshot("run-on-cluster-why-hover");
      await workbench.page.mouse.move(0, 0);
      await clickToolbarAction(workbench, "Run on Cluster: No Cluster Found");
      const why = toast(workbench, "Run on Cluster needs a cluster");
      await why.item.waitFor({ timeout: 30_000 });
      await workbench.waitForToastShown(why.message);
      // The file it looked for, by its path: no setting chosen and KUBECONFIG empty, ~/.kube/config.
      expect(await why.message.innerText()).toContain(
        `no kubeconfig (KUBECONFIG is not set, and ${path.join(home, ".kube", "config")} does not exist)`,
      );
      expect(await why.buttons()).toEqual(["Select Kubeconfig File", "Open Docs"]);
      await workbench.screenshot("run-on-cluster-why");

      // Open Docs: the README shipped with the extension, in the markdown preview.
      await why.button("Open Docs").click();
      await workbench.editorTab("Preview README.md").waitFor({ timeout: 30_000 });
      const section = workbench.page
        .locator('iframe.webview.ready[src*="extensionId=vscode.markdown-language-features"]')
        .first()
        .contentFrame()
        .frameLocator("iframe#active-frame")
        .locator("h2", { hasText: "On a cluster" });
      await section.waitFor({ timeout: 30_000 });
      // Scrolled to the section: its heading is in the upper half of the preview.
      await expect
        .poll(() => section.evaluate((heading) => heading.getBoundingClientRect().top / window.innerHeight), {
          timeout: 10_000,
        })
        .toBeLessThan(0.5);
      await workbench.screenshot("cluster-docs");
      await workbench.closeEditorTab("Preview README.md");

      // The welcome's Select Kubeconfig File: the file picked becomes the user's setting.
      await welcome.getByRole("button", { name: "Select Kubeconfig File" }).click();
      await pickFile(workbench, kubeconfig, "Use This Kubeconfig");
      // The user's settings: in code-server (a remote window) a machine setting goes to the remote's (Machine/).
      const userSetting = async (key: string) => {
        for (const folder of ["Machine", "User"]) {
          const text = await readFile(path.join(server.userDataDir, folder, "settings.json"), "utf8").catch(
            () => "{}",
          );
          const value = (JSON.parse(text) as Record<string, unknown>)[key];
          if (value !== undefined) return `${folder}: ${String(value)}`;
        }
        return undefined;
      };
      await expect
        .poll(() => userSetting("parity.cluster.kubeconfig"), { timeout: 15_000 })
        .toMatch(new RegExp(`: ${kubeconfig}$`));

      // That kubeconfig chooses no context: the welcome says so and offers Select Context.
      await welcome.getByText("The kubeconfig sets no current context").waitFor({ timeout: 30_000 });
      expect(await welcome.getByRole("button").allInnerTexts()).toEqual(["Select Context", "Open Docs"]);
      await workbench.screenshot("cluster-welcome-no-context");
      // A cluster is configured now: Run on Cluster itself is back in its place.
      await expect
        .poll(() => toolbarOffers(workbench, "Run on Cluster: No Cluster Found"), { timeout: 30_000 })
        .toBe(false);
      expect(await toolbarOffers(workbench, "Run on Cluster")).toBe(true);

      await welcome.getByRole("button", { name: "Select Context" }).click();
      const pick = workbench.page
        .locator(".quick-input-widget .monaco-list-row", { hasText: "ctx-a" })
        .first();
      await pick.waitFor({ timeout: 30_000 });
      await pick.click();
      // The view connects to the context chosen (nobody answers there): its row, not the welcome.
      await workbench.treeRow("Cluster", "ctx-a").first().waitFor({ timeout: 30_000 });
      expect(await welcome.isVisible()).toBe(false);

      // The chosen file removed (the setting still names it): the view says so, not an unexplained row, and Run on
      // Cluster's twin takes its place again without any other event; put back, Run on Cluster returns.
      await rm(kubeconfig);
      await welcome.getByText("no longer exists").waitFor({ timeout: 30_000 });
      expect(await welcome.getByRole("button").allInnerTexts()).toEqual([
        "Select Kubeconfig File",
        "Open Docs",
      ]);
      await workbench.screenshot("cluster-welcome-kubeconfig-gone");
      await expect
        .poll(() => toolbarOffers(workbench, "Run on Cluster: No Cluster Found"), { timeout: 30_000 })
        .toBe(true);
      await writeFile(kubeconfig, KUBECONFIG_WITHOUT_CONTEXT);
      await expect.poll(() => toolbarOffers(workbench, "Run on Cluster"), { timeout: 30_000 }).toBe(true);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 240_000);

  test("Docker unreachable at the parity.docker.host setting: one sentence naming the setting, with Open Settings, Retry and Show Output", async (context) => {
    const socket = path.join(tmpdir(), `parity-e2e-no-engine-${process.pid}.sock`);
    const { workbench } = await openVsCode(context, {
      name: "empty-docker-unreachable",
      settings: { "parity.docker.host": `unix://${socket}` },
    });
    await workbench.openParityView();
    await workbench.openFile("train/train.ipynb");
    const failure = toast(workbench, "No Docker engine answers");
    const runAndWait = async () => {
      await workbench.runCommand("Parity: Run Locally with Production Limits");
      await failure.item.waitFor({ timeout: 60_000 });
      await workbench.waitForToastShown(failure.message);
    };
    await runAndWait();
    const text = (await failure.message.innerText()).trim();
    expect(text).toMatch(
      new RegExp(
        `^No Docker engine answers at unix://${socket.replace(/[.]/g, "\\.")}, the address in the parity\\.docker\\.host setting: no socket exists there\\.`,
      ),
    );
    expect(text).toContain("change the parity.docker.host setting");
    expect(text).not.toMatch(/failed unexpectedly|\(DOCKER_HOST\)|ENOENT/);
    expect(await failure.buttons()).toEqual(["Open Settings", "Retry", "Show Output"]);
    await workbench.screenshot("docker-unreachable");

    // Retry runs the command again, and says so when it fails again. (A user reads first: VS Code
    // shows no more than three new toasts within 800 ms, and the run's progress was one of them.)
    await workbench.page.waitForTimeout(1000);
    await failure.button("Retry").click();
    const again = toast(workbench, "Tried 2 times: No Docker engine answers");
    await again.item.waitFor({ timeout: 60_000 });
    await workbench.waitForToastShown(again.message);
    expect(await again.buttons()).toEqual(["Open Settings", "Retry", "Show Output"]);

    // Show Output: the Parity channel, with both attempts.
    await again.button("Show Output").click();
    const output = workbench.page
      .locator(".part.panel .monaco-editor .view-lines")
      .filter({ visible: true })
      .first();
    // Monaco draws spaces as no-break spaces.
    const outputText = async () => (await output.innerText().catch(() => "")).replace(/\u00a0/g, " ");
    await expect
      .poll(
        async () =>
          (await outputText()).match(/parity\.runLocally failed: No Docker engine answers/g)?.length,
        {
          timeout: 30_000,
        },
      )
      .toBe(2);

    // Open Settings: the setting the address came from. VS Code shows no second toast with the text
    // of one still in its list, so the list is cleared first.
    await workbench.runCommand("Notifications: Clear All Notifications");
    await runAndWait();
    await failure.button("Open Settings").click();
    // The machine's settings (the Remote tab in code-server), searched for the setting.
    const setting = workbench.page
      .locator(".settings-editor .setting-item-contents", { hasText: "Host" })
      .first();
    await setting.waitFor({ timeout: 30_000 });
    expect((await setting.innerText()).replace(/\s+/g, " ")).toMatch(/Docker: Host.*DOCKER_HOST/);
    await workbench.screenshot("docker-settings");
  }, 240_000);

  test("submitting not allowed: Run on Cluster's place says so and offers another namespace", async (context) => {
    const cluster = inject("parityCluster");
    const { workbench } = await openVsCode(context, {
      name: "empty-submit-denied",
      env: { KUBECONFIG: cluster.kubeconfigs.restricted },
    });
    await workbench.openParityView();
    // The rules review runs while the Cluster view is open.
    await workbench.expandView("Cluster");
    await workbench.openFile("train/train.ipynb");
    await workbench.notebookToolbarButton("Run Locally with Production Limits").waitFor({ timeout: 30_000 });
    const denied = "Run on Cluster: Not Allowed in This Namespace";
    await expect.poll(() => toolbarOffers(workbench, denied), { timeout: 60_000 }).toBe(true);
    await clickToolbarAction(workbench, denied);
    const why = toast(workbench, "You may not create Jobs");
    await why.item.waitFor({ timeout: 30_000 });
    await workbench.waitForToastShown(why.message);
    expect(await why.message.innerText()).toMatch(
      /in the namespace default of \S+, as the cluster's rules say/,
    );
    expect(await why.buttons()).toEqual(["Select Namespace", "Select Cluster Context", "Run Anyway"]);
    await workbench.screenshot("run-on-cluster-denied");
  }, 180_000);
});
