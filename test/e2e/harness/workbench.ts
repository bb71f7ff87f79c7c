import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";
import { repoRoot, resultsDir } from "./paths";

/** The extension's id as VS Code knows it (publisher.name from package.json). */
export const extensionId = "parity-dev.parity";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.PARITY_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The panels' view types and the beginning of their titles ("Logs: train.ipynb"). */
const panelTitles: Record<string, string> = {
  "parity.report": "Parity Report: ",
  "parity.logs": "Logs: ",
  "parity.diagnosis": "Diagnosis: ",
  "parity.pipelineRun": "Run Graph: ",
};

/** Commands' titles to the short titles the notebook toolbar's overflow menu shows (package.json `shortTitle`). */
const shortTitles = new Map(
  (
    JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
      contributes: { commands: Array<{ title: string; shortTitle?: string }> };
    }
  ).contributes.commands.flatMap(({ title, shortTitle }) =>
    shortTitle ? [[title, shortTitle] as const] : [],
  ),
);

function menuLabel(title: string): string {
  return shortTitles.get(title) ?? title;
}

/** Page objects for the VS Code workbench served by code-server. */
export class Workbench {
  constructor(
    readonly page: Page,
    /** File name prefix of this test's screenshots. */
    readonly name: string,
  ) {}

  static async open(browser: Browser, url: string, workspace: string, name: string): Promise<Workbench> {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    return new Workbench(page, name);
  }

  /** Saves what the user sees as test-results/e2e/<test name>-<step>.png and returns its path. */
  async screenshot(step: string): Promise<string> {
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${this.name}-${step}.png`.replace(/[^\w.-]+/g, "-"));
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The workbench's modal dialog (Workspace Trust asks with one). */
  dialog(): Locator {
    return this.page.locator(".monaco-dialog-box");
  }

  async clickDialogButton(text: string | RegExp): Promise<void> {
    await this.dialog().getByRole("button", { name: text }).click();
  }

  activityBarEntry(title: string): Locator {
    return this.page.locator(`.activitybar a.action-label[aria-label^="${title}"]`).first();
  }

  /** Opens the Parity container in the side bar (clicking it only when it is not open already). */
  async openParityView(): Promise<void> {
    const entry = this.activityBarEntry("Parity");
    await entry.waitFor({ timeout: 60_000 });
    if (!(await this.viewPane("Runs").isVisible())) await entry.click();
    await this.viewPane("Environment").waitFor();
    await this.viewPane("Runs").waitFor();
  }

  /** A view's pane in the side bar, found by its header's title. */
  viewPane(title: string): Locator {
    return this.page.locator(".part.sidebar .pane").filter({
      has: this.page.locator(".pane-header h3.title", { hasText: new RegExp(`^${escape(title)}$`, "i") }),
    });
  }

  /** The rows of a tree view, found by the view's title. */
  treeRows(view: string): Locator {
    return this.viewPane(view).locator(".pane-body .monaco-list-row");
  }

  /** Expands a collapsed view section (both Parity views are open by default, but a test may close one). */
  async expandView(view: string): Promise<void> {
    const header = this.viewPane(view).locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  }

  /**
   * Collapses a view section, giving its room to the others: a tree draws only the rows that fit,
   * so a test that reads a long tree makes room for it first.
   */
  async collapseView(view: string): Promise<void> {
    const header = this.viewPane(view).locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) === "true") await header.click();
  }

  /** The texts of a tree view's rows (label and description), one string per row. */
  async treeTexts(view: string): Promise<string[]> {
    return (await this.treeRows(view).allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
  }

  /** A tree row whose label is exactly `label` (its description follows it in the row). */
  treeRow(view: string, label: string): Locator {
    return this.treeRows(view).filter({
      has: this.page.locator(".label-name", { hasText: new RegExp(`^${escape(label)}$`) }),
    });
  }

  /**
   * Waits until the row of `label` in a tree view has a description that begins with `status`
   * (the Runs view: "Succeeded · 12.3 s · exit 0") and returns the row's text. Fails early when the
   * row reaches another final status.
   */
  async waitForTreeStatus(view: string, label: string, status: string, timeoutMs: number): Promise<string> {
    const finals = ["Succeeded", "Failed", "Cancelled"].filter((word) => word !== status);
    const row = this.treeRow(view, label).first();
    const deadline = Date.now() + timeoutMs;
    let text = "";
    while (Date.now() < deadline) {
      text = (await row.innerText({ timeout: 1000 }).catch(() => "")).replace(/\s+/g, " ").trim();
      const description = text.slice(label.length).trim();
      if (description.startsWith(status)) return text;
      const other = finals.find((word) => description.startsWith(word));
      if (other) throw new Error(`${view}: ${label} ended ${other}, not ${status}: "${text}"`);
      await this.page.waitForTimeout(500);
    }
    throw new Error(
      `${view}: ${label} did not reach ${status} within ${timeoutMs / 1000} s (last seen: "${text}")`,
    );
  }

  /**
   * Runs a command from the palette (F1) by its title, as "Parity: Check Parity". A panel that
   * opens meanwhile (a check finishing) takes the focus and closes the palette: then it tries again.
   */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator(".quick-input-widget input.input");
    const row = this.page
      .locator(".quick-input-widget .monaco-list-row.focused")
      .filter({ has: this.page.locator(".label-name", { hasText: new RegExp(`^${escape(title)}$`) }) });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.closeQuickInput();
        await this.page.keyboard.press("F1");
        await input.waitFor({ timeout: 5_000 });
        await input.fill(`>${title}`);
        await row.waitFor({ timeout: 15_000 });
        await input.press("Enter", { timeout: 2_000 });
        await input.waitFor({ state: "hidden", timeout: 5_000 });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }

  async closeQuickInput(): Promise<void> {
    if (await this.page.locator(".quick-input-widget").isVisible()) await this.page.keyboard.press("Escape");
  }

  /** Opens a workspace file by quick open (Ctrl+P), as a user types its path. */
  async openFile(relativePath: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press("Control+P");
    const input = this.page.locator(".quick-input-widget input.input");
    await input.waitFor();
    await input.fill(relativePath);
    const base = path.basename(relativePath);
    const row = this.page
      .locator(".quick-input-widget .monaco-list-row")
      .filter({ has: this.page.locator(".label-name", { hasText: new RegExp(`^${escape(base)}$`) }) })
      .first();
    await row.waitFor({ timeout: 15_000 });
    await this.page.keyboard.press("Enter");
    await this.page.locator(`.tabs-container .tab[aria-label^="${base}"]`).first().waitFor();
    // A notebook is shown when its cells are rendered.
    if (base.endsWith(".ipynb"))
      await this.page.locator(".notebook-editor .cell-list-container .code-cell-row").first().waitFor();
  }

  /**
   * An action in the open notebook's toolbar, by its title (the command's title: the button shows
   * its shortTitle where it has one, and keeps the title as its accessible name).
   */
  notebookToolbarButton(title: string): Locator {
    return this.page
      .locator(`.notebook-toolbar-container a.action-label[aria-label^="${title}"]`)
      .filter({ visible: true })
      .first();
  }

  /**
   * An action of the open notebook's toolbar, ready to click: its button, or where the toolbar's
   * labels do not fit, its entry in the toolbar's overflow menu (opened for it).
   */
  async notebookAction(title: string): Promise<Locator> {
    const button = this.notebookToolbarButton(title);
    if (await button.isVisible()) return button;
    const toolbar = this.page.locator(".notebook-toolbar-container");
    await toolbar.locator('a.action-label[aria-label^="More Actions"]').first().click();
    const item = this.page
      .locator(".context-view .monaco-menu")
      .getByRole("menuitem", { name: menuLabel(title), exact: true });
    await item.waitFor({ timeout: 15_000 });
    return item;
  }

  /** An action in the editor title bar, by its title. */
  editorTitleButton(title: string): Locator {
    return this.page.locator(`.editor-actions a.action-label[aria-label^="${title}"]`).first();
  }

  /**
   * The document of a webview panel of this extension. Webviews are nested iframes: an outer
   * `iframe.webview` (one per webview, several may be open) and the panel's document in its
   * `iframe#active-frame`. With a title (or the start of one, or a view type such as
   * "parity.logs"), the panel's editor tab is brought to the front first; the visible webview of
   * this extension is taken.
   */
  async webviewFrame(titleOrViewType?: string): Promise<FrameLocator> {
    const title = titleOrViewType && (panelTitles[titleOrViewType] ?? titleOrViewType);
    if (title) {
      const tab = this.editorTab(title);
      await tab.waitFor({ timeout: 60_000 });
      await tab.click();
    }
    const outer = `iframe.webview.ready[src*="extensionId=${extensionId}"]`;
    return this.page
      .locator(outer)
      .filter({ visible: true })
      .first()
      .contentFrame()
      .frameLocator("iframe#active-frame");
  }

  editorTab(title: string): Locator {
    return this.page.locator(".tabs-container .tab").filter({ hasText: title }).first();
  }

  /** Closes an editor tab (a panel or a file) by its title, and waits until it is gone. */
  async closeEditorTab(title: string): Promise<void> {
    const tab = this.editorTab(title);
    await tab.hover();
    await tab
      .locator(".tab-actions .action-label.codicon-close, .tab-actions a.action-label")
      .first()
      .click();
    await tab.waitFor({ state: "detached", timeout: 15_000 });
  }

  /**
   * Waits until the context menu of `target` (a row that is still being drawn, or whose commands
   * are still being registered) offers an entry containing `text`; each look closes the menu again.
   */
  async waitForMenuEntry(target: Locator, text: string, timeoutMs = 60_000): Promise<void> {
    await expect
      .poll(
        async () => {
          await target.click({ button: "right" });
          const menu = this.page.locator(".context-view .monaco-menu").first();
          const items = await menu.getByRole("menuitem").allInnerTexts();
          await this.page.keyboard.press("Escape");
          // Closed before anything else is clicked: a right-click while it closes opens nothing.
          await menu.waitFor({ state: "hidden", timeout: 2000 }).catch(() => undefined);
          return items;
        },
        { timeout: timeoutMs },
      )
      .toEqual(expect.arrayContaining([expect.stringContaining(text)]));
  }

  /** Opens the context menu of a row (a tree row, a tab) and clicks the entry `title`. */
  async contextMenu(target: Locator, title: string): Promise<void> {
    const menu = this.page.locator(".context-view .monaco-menu").first();
    const item = menu.getByRole("menuitem", { name: title, exact: true }).first();
    // A right-click can open nothing (a row redrawn under it, a menu still closing): opened again.
    for (let opening = 1; ; opening++) {
      await target.click({ button: "right" });
      const shown = await item
        .waitFor({ timeout: 5000 })
        .then(() => true)
        .catch(() => false);
      if (shown) break;
      await this.page.keyboard.press("Escape");
      if (opening === 3) throw new Error(`the context menu offered no "${title}" in 3 openings of 5 s`);
    }
    // A menu ignores a click that comes right after it opened (the right button's own release):
    // the entry is clicked until the menu closes, which it does as it runs the entry.
    for (let attempt = 1; ; attempt++) {
      await item.click();
      const closed = await menu
        .waitFor({ state: "hidden", timeout: 2000 })
        .then(() => true)
        .catch(() => false);
      if (closed) return;
      if (attempt === 3) throw new Error(`the context menu stayed open after clicking "${title}" 3 times`);
    }
  }

  /**
   * Waits until a notification toast (the one holding `message`) has finished fading in: VS Code
   * marks it notification-fade-in-done at the end of its transition; then it is opaque and no
   * animation runs in it, so a screenshot shows it whole.
   */
  async waitForToastShown(message: Locator, timeoutMs = 10_000): Promise<void> {
    const toast = message.locator(
      "xpath=ancestor::*[contains(concat(' ', @class, ' '), ' notification-toast ')][1]",
    );
    await toast.waitFor({ timeout: timeoutMs });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const shown = await toast
        .evaluate(
          (element) =>
            element.classList.contains("notification-fade-in-done") &&
            getComputedStyle(element).opacity === "1" &&
            element.getAnimations({ subtree: true }).every((animation) => animation.playState !== "running"),
        )
        .catch(() => false);
      if (shown) return;
      if (Date.now() > deadline) throw new Error("the notification toast did not finish fading in");
      await this.page.waitForTimeout(50);
    }
  }

  /**
   * Expects that no row labelled `label` shows up in a tree view during `durationMs` (checked every
   * 100 ms): a refused command must not leave a row, even one that appears late.
   */
  async expectNoTreeRow(view: string, label: string, durationMs = 2000): Promise<void> {
    await this.viewPane(view).waitFor();
    const rows = this.treeRow(view, label);
    const deadline = Date.now() + durationMs;
    while (Date.now() < deadline) {
      const count = await rows.count();
      if (count > 0)
        throw new Error(`${view}: a row "${label}" appeared: ${(await rows.first().innerText()).trim()}`);
      await this.page.waitForTimeout(100);
    }
  }

  /** The open notebook editor's active cell, as VS Code's status bar says it ("Cell 3 of 4"). */
  async notebookActiveCell(): Promise<string> {
    const item = this.page
      .locator(".part.statusbar .statusbar-item")
      .filter({ hasText: /^\s*Cell \d+ (of \d+|\(\d+ selected\))\s*$/ })
      .first();
    return (await item.innerText({ timeout: 1000 }).catch(() => "")).trim();
  }

  /** The editor group that has the focus (several are open side by side once a panel opens beside). */
  activeEditorGroup(): Locator {
    return this.page.locator(".part.editor .editor-group-container.active").first();
  }

  /** The title of the active editor group's active tab. */
  async activeTabTitle(): Promise<string> {
    return (await this.activeEditorGroup().locator(".tabs-container .tab.active").first().innerText()).trim();
  }

  /**
   * The focused cell of the notebook editor shown in the active editor group: its 0-based index in
   * the cell list, whether its code editor has the keyboard focus, and its source text. (VS Code
   * lays notebook editors over their group, `.notebookOverlay` children of the workbench, rather
   * than inside it: the one over the active group is taken.)
   */
  async notebookFocusedCell(): Promise<
    { index: number; editorFocused: boolean; source: string; cursorLine?: string } | undefined
  > {
    return this.page.evaluate(() => {
      const group = document.querySelector(".part.editor .editor-group-container.active");
      if (!group) return undefined;
      const area = group.getBoundingClientRect();
      const editor = Array.from(document.querySelectorAll(".notebookOverlay.notebook-editor")).find(
        (element) => {
          const box = element.getBoundingClientRect();
          const x = box.left + box.width / 2;
          const y = box.top + box.height / 2;
          return (
            box.width > 0 &&
            box.height > 0 &&
            x > area.left &&
            x < area.right &&
            y > area.top &&
            y < area.bottom
          );
        },
      );
      const row = editor?.querySelector(".cell-list-container .monaco-list-row.focused");
      if (!row) return undefined;
      // Monaco renders spaces as no-break spaces.
      const text = (element: Element | null | undefined) =>
        ((element as HTMLElement | null)?.innerText ?? "").replace(/\u00a0/g, " ");
      // The line the cursor is on: the rendered line at the cursor's height.
      const cursor = row.querySelector(".monaco-editor .cursors-layer .cursor") as HTMLElement | null;
      const cursorLine = (
        Array.from(row.querySelectorAll(".monaco-editor .view-line")) as HTMLElement[]
      ).find((line) => cursor !== null && line.style.top === cursor.style.top);
      return {
        index: Number(row.getAttribute("data-index")),
        editorFocused: row.querySelector(".monaco-editor.focused") !== null,
        source: text(row.querySelector(".monaco-editor .view-lines")),
        ...(cursorLine ? { cursorLine: text(cursorLine) } : {}),
      };
    });
  }

  /** The text of the notification toasts on screen now. */
  async notifications(): Promise<string[]> {
    return (
      await this.page.locator(".notification-toast .notification-list-item-message").allInnerTexts()
    ).map((text) => text.trim());
  }

  /** Notifications shown with the error icon (toasts on screen). */
  errorNotifications(): Locator {
    return this.page
      .locator(".notification-toast .notification-list-item")
      .filter({ has: this.page.locator(".codicon-error") });
  }

  /** A status bar entry whose text contains `text`. */
  statusBarItem(text: string): Locator {
    return this.page.locator(".part.statusbar .statusbar-item").filter({ hasText: text }).first();
  }

  async statusBarText(text = "Parity"): Promise<string> {
    return (await this.statusBarItem(text).innerText()).trim();
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
