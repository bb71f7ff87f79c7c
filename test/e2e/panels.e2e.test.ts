import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { openVsCode } from "./harness/session";
import type { Workbench } from "./harness/workbench";

/** A run of `<folder>/<folder>.ipynb` recorded as the extension records one, without Docker. */
async function recordRun(
  workspace: string,
  folder: string,
  runId: string,
  result: Partial<RunResult>,
  lines: string[],
): Promise<void> {
  const dir = path.join(workspace, folder, ".parity", "runs", runId);
  await mkdir(dir, { recursive: true });
  const record = {
    runId,
    target: "local",
    status: "succeeded",
    exitCode: 0,
    oomKilled: false,
    image: `parity/${folder}:e2e`,
    notebook: path.join(workspace, folder, `${folder}.ipynb`),
    startedAt: "2026-11-29T08:00:00.000Z",
    finishedAt: "2026-11-29T08:00:04.000Z",
    durationMs: 4000,
    diagnosis: [],
    ...result,
  } as RunResult;
  await writeFile(path.join(dir, "run.json"), `${JSON.stringify(record, null, 2)}\n`);
  const start = Date.parse("2026-11-29T08:00:01.000Z");
  const jsonl = lines.map(
    (text, index) => `${JSON.stringify({ stream: "stdout", text, time: start + index })}\n`,
  );
  await writeFile(path.join(dir, "logs.jsonl"), jsonl.join(""));
}

const LOG_LINES = 200_000;
const FIRST_LINE = "the first line of the log";
const LAST_LINE = `the last of ${LOG_LINES.toLocaleString("en")} lines`;

/**
 * memory.ipynb killed at its 128 MiB limit (the logs and diagnosis panels), after printing
 * LOG_LINES lines from FIRST_LINE to LAST_LINE. Check Parity makes its report.
 */
async function recordOomRun(workspace: string): Promise<void> {
  const lines = Array.from(
    { length: LOG_LINES - 2 },
    (_, index) => `step ${index + 2}: allocated ${index % 400} MiB`,
  );
  await recordRun(
    workspace,
    "memory",
    "memory-20261129-080000-e2e1",
    {
      status: "failed",
      exitCode: 137,
      oomKilled: true,
      memoryLimitBytes: 128 * 1024 ** 2,
      diagnosis: [
        {
          code: "OOMKilled",
          severity: "error",
          message: "The run was killed at its 128 MiB memory limit.",
          fix: "Use less memory, or raise resources.memory in parity.yaml.",
        },
      ],
    },
    [FIRST_LINE, ...lines, LAST_LINE],
  );
}

/**
 * Watches each webview as VS Code makes it (its host page, pre/index.html) and reports on the
 * console, as `parity-shown <what> <epoch ms>`: `webview` (the host page), `page` (the panel's
 * document written into its frame) and, each time the webview comes into view (its iframe in the
 * workbench not hidden: a retained panel's is hidden with its tab) and the frame VS Code shows
 * (its `active-frame`) has one of the panels' known elements with text, that element's name;
 * `lastLine` when the log's LAST_LINE is there. The workbench notes when an editor tab was
 * pressed and when Enter ran a command. All clocks are the browser's: the figures are measured
 * there.
 */
const PROBE = `(() => {
  if (window === window.top) {
    document.addEventListener("mousedown", (event) => {
      if (event.target instanceof Element && event.target.closest(".tabs-container .tab"))
        window.__parityTabPressedAt = Date.now();
    }, true);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target instanceof Element && event.target.closest(".quick-input-widget"))
        window.__parityCommandAt = Date.now();
    }, true);
    return;
  }
  if (!location.pathname.endsWith("/webview/browser/pre/index.html")) return;
  const watched = {
    logLine: '[data-testid="log-line"]',
    headline: '[data-testid="run-headline"]',
    summary: '[data-testid="report-summary"]',
  };
  const reported = new Set();
  const once = (what) => {
    if (reported.has(what)) return;
    reported.add(what);
    console.log("parity-shown " + what + " " + Date.now());
  };
  /** What is in view now, reported again after the webview was out of view. */
  const drawn = new Set();
  const draw = (what) => {
    if (drawn.has(what)) return;
    drawn.add(what);
    console.log("parity-shown " + what + " " + Date.now());
  };
  const host = window.frameElement;
  if (!host) once("noFrameElement");
  const inView = () =>
    !host || (host.ownerDocument.defaultView.getComputedStyle(host).visibility !== "hidden" && host.getClientRects().length > 0);
  once("webview");
  setInterval(() => {
    const pending = document.getElementById("pending-frame")?.contentDocument;
    const frame = document.getElementById("active-frame");
    const page = frame?.contentDocument;
    if (pending?.getElementById("app") || page?.getElementById("app")) once("page");
    if (!inView()) return drawn.clear();
    if (!frame || frame.style.visibility === "hidden" || !page?.getElementById("app")) return;
    for (const [what, selector] of Object.entries(watched)) {
      const element = page.querySelector(selector);
      if (element && element.textContent.trim()) draw(what);
    }
    if (page.body.textContent.includes(${JSON.stringify(LAST_LINE)})) draw("lastLine");
  }, 4);
})()`;

interface Shown {
  what: string;
  at: number;
}

/** Installs PROBE and collects what it reports. */
async function probePanels(workbench: Workbench): Promise<Shown[]> {
  const shown: Shown[] = [];
  workbench.page.on("console", (message) => {
    const match = /^parity-shown (\w+) (\d+)$/.exec(message.text());
    if (match) shown.push({ what: match[1]!, at: Number(match[2]) });
  });
  // In every frame made from now on, and in the workbench's own, loaded already.
  await workbench.page.context().addInitScript(PROBE);
  await workbench.page.evaluate(PROBE);
  return shown;
}

/** The editor groups, left to right, each as the titles of its tabs. */
async function editorGroups(workbench: Workbench): Promise<string[][]> {
  const groups = workbench.page.locator(".part.editor .editor-group-container");
  const titles: string[][] = [];
  for (const group of await groups.all())
    titles.push(
      (await group.locator(".tabs-container .tab .label-name").allInnerTexts()).map((text) => text.trim()),
    );
  return titles;
}

/** When the probe first reported `what` after index `since` of `shown`, waiting for it. */
async function reported(shown: Shown[], since: number, what: string, timeoutMs = 30_000): Promise<number> {
  await expect
    .poll(() => shown.slice(since).some((entry) => entry.what === what), {
      timeout: timeoutMs,
      message: `the probe never saw ${what}; it saw ${JSON.stringify(shown.slice(since))}`,
    })
    .toBe(true);
  return shown.slice(since).find((entry) => entry.what === what)!.at;
}

/**
 * A figure of the browser's clock, split where the panel's document appeared in its frame when
 * one was written (not when a retained page came back into view).
 */
interface Timing {
  /** From the click (or Enter) to `what` shown. */
  total: number;
  /** VS Code's part: from the click to the panel's document written into the webview's frame. */
  webview?: number;
  /** The extension's part: from its document written to `what` shown. */
  panel?: number;
}

function timing(shown: Shown[], since: number, startedAt: number, shownAt: number): Timing {
  const page = shown.slice(since).find((entry) => entry.what === "page")?.at;
  const total = shownAt - startedAt;
  return page === undefined ? { total } : { total, webview: page - startedAt, panel: shownAt - page };
}

const words = ({ total, webview, panel }: Timing) =>
  webview === undefined ? `${total} ms (page retained)` : `${total} ms (webview ${webview} + panel ${panel})`;

/** Clicks an editor tab and times how long until its panel shows `what` (an entry of PROBE's `watched`). */
async function switchTo(workbench: Workbench, shown: Shown[], title: string, what: string): Promise<Timing> {
  const since = shown.length;
  await workbench.editorTab(title).click();
  const at = await reported(shown, since, what);
  const pressedAt = await workbench.page.evaluate(
    () => (window as unknown as { __parityTabPressedAt: number }).__parityTabPressedAt,
  );
  return timing(shown, since, pressedAt, at);
}

describe("panels", () => {
  test("logs, diagnosis and report share one group beside the notebook and draw their last state at once", async (context) => {
    const { workbench } = await openVsCode(context, { name: "panels-one-group", prepare: recordOomRun });
    const shown = await probePanels(workbench);
    await workbench.openParityView();
    await workbench.treeRow("Runs", "memory.ipynb").first().waitFor({ timeout: 60_000 });
    await workbench.openFile("memory/memory.ipynb");
    // The notebook's toolbar shows the short title (the full one is its accessible name, and the
    // palette's: runCommand finds the commands by it).
    const runLocally = workbench.notebookToolbarButton("Run Locally with Production Limits");
    await runLocally.waitFor({ timeout: 30_000 });
    expect((await runLocally.locator("xpath=..").innerText()).trim()).toBe("Run Locally");

    // The log's end first: its last line is on screen long before the 200,000 lines are in.
    const since = shown.length;
    await workbench.runCommand("Parity: Open Logs");
    const lastLineAt = await reported(shown, since, "lastLine");
    const commandAt = await workbench.page.evaluate(
      () => (window as unknown as { __parityCommandAt: number }).__parityCommandAt,
    );
    const opened = timing(shown, since, commandAt, lastLineAt);
    console.log(`[panels] ${LOG_LINES} lines, Open Logs to the last line: ${words(opened)}`);
    // The panel's part, as for the tab switches below (VS Code's part is printed).
    expect(opened.panel).toBeLessThan(1000);
    // Then the rest, in the log's order: search finds the first line, numbered first.
    const logs = await workbench.webviewFrame("Logs: memory.ipynb");
    await expect
      .poll(() => logs.locator('[data-testid="log-status"]').innerText(), { timeout: 60_000 })
      .toBe(`memory.ipynb · failed · ${LOG_LINES.toLocaleString("en")} lines`);
    await logs.locator('[data-testid="log-search"]').first().click();
    await workbench.page.keyboard.type(FIRST_LINE);
    await expect
      .poll(() => logs.locator('[data-testid="log-match-count"]').first().innerText(), { timeout: 60_000 })
      .toBe("1 of 1");
    await expect
      .poll(() => logs.locator(".current-line").first().getAttribute("data-line"), { timeout: 10_000 })
      .toBe("0");
    // Following again: the view goes back to the end.
    await logs.locator('[data-testid="log-follow"]').click();
    await logs.getByText(LAST_LINE).waitFor({ timeout: 10_000 });

    await workbench.runCommand("Parity: Open Diagnosis");
    const diagnosis = await workbench.webviewFrame("Diagnosis: memory.ipynb");
    await diagnosis.locator('[data-testid="run-headline"]').waitFor({ timeout: 30_000 });
    // The report is the notebook's (Check Parity), opened while the focus is in the diagnosis.
    await workbench.runCommand("Parity: Check Parity");
    const report = await workbench.webviewFrame("Parity Report: memory.ipynb");
    await report.locator('[data-testid="report-summary"]').waitFor({ timeout: 180_000 });

    expect(await editorGroups(workbench)).toEqual([
      ["memory.ipynb"],
      ["Logs: memory.ipynb", "Diagnosis: memory.ipynb", "Parity Report: memory.ipynb"],
    ]);
    // The README's picture (docs/screenshots/panels-one-group.png), with room for the tabs.
    await workbench.runCommand("View: Toggle Primary Side Bar Visibility");
    await workbench.screenshot("one-group");

    // Back to a hidden tab: its page was retained, up to date, and is there at once.
    const switches: Array<[string, string]> = [
      ["Diagnosis: memory.ipynb", "headline"],
      ["Logs: memory.ipynb", "lastLine"],
      ["Parity Report: memory.ipynb", "summary"],
      ["Logs: memory.ipynb", "lastLine"],
      ["Diagnosis: memory.ipynb", "headline"],
    ];
    const figures: Array<[string, Timing]> = [];
    for (const [title, what] of switches)
      figures.push([title, await switchTo(workbench, shown, title, what)]);
    console.log(
      `[panels] tab switch to content: ${figures.map(([title, figure]) => `${title} ${words(figure)}`).join("; ")}`,
    );
    // Asserted: the whole switch, from the tab press to the panel's content in view, within the
    // issue's 300 ms. A page made anew would take VS Code about 1.1 s in code-server alone (its
    // webview host registers its service worker again for every frame and Chromium holds the
    // frame's first navigation meanwhile); retained pages avoid it.
    for (const [title, figure] of figures) expect(figure.total, title).toBeLessThan(300);
  }, 400_000);
});
