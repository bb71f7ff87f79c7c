import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { localTime } from "../../src/core/presentation/time";
import { openVsCode } from "./harness/session";
import type { Workbench } from "./harness/workbench";

const ESC = "\u001b";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** What train.ipynb's recorded run printed: colours, window titles (BEL- and ST-ended), cursor moves. */
const PRINTED = [
  `${ESC}]0;training: epoch 1${ESC}\\${ESC}[32mepoch 1${ESC}[0m loss=0.50`,
  `accuracy 0.9${ESC}]0;progress 90%\u0007${ESC}[1m1${ESC}[22m on the test set`,
  `${ESC}[2K${ESC}[1Gstep 3 of 3${ESC}[?25h done`,
];
const SHOWN = ["epoch 1 loss=0.50", "accuracy 0.91 on the test set", "step 3 of 3 done"];

async function record(
  workspace: string,
  project: string,
  result: Pick<RunResult, "runId" | "status" | "exitCode" | "startedAt" | "finishedAt" | "durationMs">,
  lines: string[],
): Promise<string> {
  const dir = path.join(workspace, project, ".parity", "runs", result.runId);
  await mkdir(dir, { recursive: true });
  const notebook = path.join(workspace, project, `${project}.ipynb`);
  const full: RunResult = {
    target: "local",
    notebook,
    image: `parity/${project}:e2e`,
    memoryLimitBytes: 512 * 1024 ** 2,
    diagnosis: [],
    oomKilled: false,
    ...result,
  };
  await writeFile(path.join(dir, "run.json"), `${JSON.stringify(full, null, 2)}\n`);
  const logs = lines.map((text, index) => JSON.stringify({ stream: "stdout", text, time: index }));
  await writeFile(path.join(dir, "logs.jsonl"), logs.map((line) => `${line}\n`).join(""));
  return dir;
}

/** The text the Chromium clipboard holds (the workbench writes it for the extension and the webviews). */
async function clipboardText(workbench: Workbench): Promise<string> {
  return workbench.page.evaluate(() => navigator.clipboard.readText());
}

/** The tooltip of a tree row, as VS Code shows it when the row is hovered. */
async function tooltipOf(
  workbench: Workbench,
  view: string,
  label: string,
  containing: string,
): Promise<string> {
  const row = workbench.treeRow(view, label).first();
  const hover = workbench.page.locator(".monaco-hover").filter({ hasText: containing }).first();
  for (let attempt = 1; ; attempt++) {
    // Away first: a hover shows again only after the mouse has left the row.
    await workbench.page.mouse.move(0, 0);
    await row.locator(".label-name").hover();
    const shown = await hover
      .waitFor({ timeout: 5000 })
      .then(() => true)
      .catch(() => false);
    if (shown) return (await hover.innerText()).trim();
    if (attempt === 3) throw new Error(`${view}: hovering ${label} showed no tooltip with "${containing}"`);
  }
}

describe("logs and runs", () => {
  test("escape sequences in the logs panel: colours drawn, titles and cursor moves gone from display, search and copy; the Runs view's times and a running row's ticking duration", async (context) => {
    const now = Date.now();
    const trainStart = new Date(now - 2 * HOUR - MINUTE).toISOString();
    const trainEnd = new Date(now - 2 * HOUR).toISOString();
    // The process that follows the running run: a CLI, as far as the view can tell, killed later.
    const follower = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    context.onTestFinished(() => void follower.kill());
    const { workbench } = await openVsCode(context, {
      name: "logs-runs",
      prepare: async (workspace) => {
        await record(
          workspace,
          "train",
          {
            runId: "train-20261205-080000-e2e1",
            status: "succeeded",
            exitCode: 0,
            startedAt: trainStart,
            finishedAt: trainEnd,
            durationMs: MINUTE,
          },
          PRINTED,
        );
        // Alive to reconciliation: its follower is still running.
        const running = await record(
          workspace,
          "memory",
          {
            runId: "memory-20261205-100000-e2e2",
            status: "running",
            exitCode: null,
            startedAt: new Date(now - 95_000).toISOString(),
          },
          ["allocated 6 MiB"],
        );
        await writeFile(
          path.join(running, "follower.json"),
          JSON.stringify({ pid: follower.pid, host: hostname() }),
        );
      },
    });
    await workbench.page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await workbench.openParityView();

    // The Runs view: a running row's duration grows while the view is shown.
    const runningRow = workbench.treeRow("Runs", "memory.ipynb").first();
    await runningRow.waitFor({ timeout: 60_000 });
    const description = async () =>
      (await runningRow.locator(".label-description").innerText()).replace(/\s+/g, " ").trim();
    const first = await description();
    expect(first).toMatch(/^Running · \d+ min \d{2} s · local$/);
    await expect.poll(description, { timeout: 10_000 }).not.toBe(first);
    expect(await description()).toMatch(/^Running · \d+ min \d{2} s · local$/);
    await workbench.screenshot("runs-running");

    // Tooltips: the local time in VS Code's language (code-server's "en"), its zone, how long ago.
    const tooltip = await tooltipOf(workbench, "Runs", "train.ipynb", "train.ipynb: succeeded");
    expect(tooltip).toContain(`Started ${localTime(trainStart, { locale: "en" })} (2 h ago)`);
    expect(tooltip).toContain(`Ended ${localTime(trainEnd, { locale: "en" })} (2 h ago)`);
    expect(tooltip).not.toContain(trainStart);
    await workbench.screenshot("runs-tooltip");
    expect(await tooltipOf(workbench, "Runs", "memory.ipynb", "memory.ipynb: running")).toMatch(
      /Started .+ \(1 min ago\)|Started .+ \(2 min ago\)/,
    );

    // Its follower is killed while the view is open: the claim and the record stay as they were (no
    // watcher fires), and the row stops saying it is running within seconds.
    follower.kill("SIGKILL");
    await expect.poll(description, { timeout: 20_000 }).not.toMatch(/^Running/);

    // The logs: the text a terminal shows, nothing of the sequences, colours as colours.
    await workbench.treeRow("Runs", "train.ipynb").first().click();
    const logs = await workbench.webviewFrame("Logs: train.ipynb");
    const lines = logs.locator('[data-testid="log-line"]');
    await expect.poll(() => lines.allInnerTexts(), { timeout: 30_000 }).toEqual(SHOWN);
    const green = lines.first().locator("span.ansi-green-fg");
    expect(await green.innerText()).toBe("epoch 1");
    const colours = await green.evaluate((span) => ({
      span: getComputedStyle(span).color,
      line: getComputedStyle(span.parentElement!).color,
    }));
    expect(colours.span).not.toBe(colours.line);
    expect(await lines.nth(1).locator("span.ansi-bold").innerText()).toBe("1");
    await workbench.screenshot("logs-escapes");

    // Search finds text across the place of a title sequence, and highlights it.
    await logs.locator('[data-testid="log-search"]').first().click();
    await workbench.page.keyboard.type("0.91 on the");
    await expect
      .poll(() => logs.locator('[data-testid="log-match-count"]').first().innerText(), { timeout: 10_000 })
      .toBe("1 of 1");
    expect(await lines.nth(1).locator(".match-current").allInnerTexts()).toEqual(["0.9", "1", " on the"]);
    await workbench.screenshot("logs-search-across-title");

    // Copy: a selected line, and Copy Visible, give the text shown.
    await lines.nth(1).click({ clickCount: 3 });
    await workbench.page.keyboard.press("Control+C");
    await expect
      .poll(() => clipboardText(workbench), { timeout: 10_000 })
      .toMatch(/^accuracy 0\.91 on the test set\s*$/);
    await logs.locator('[data-testid="log-copy-visible"]').click();
    await expect.poll(() => clipboardText(workbench), { timeout: 10_000 }).toBe(SHOWN.join("\n"));
  }, 300_000);

  test("the success toast offers Open Logs only while the run's logs panel is closed (Docker)", async (context) => {
    const { workbench } = await openVsCode(context, {
      name: "success-toast",
      prepare: async (workspace) => {
        const dir = path.join(workspace, "hello");
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, "parity.yaml"), HELLO_PROFILE);
        await writeFile(path.join(dir, "hello.ipynb"), HELLO_NOTEBOOK);
      },
    });
    await workbench.openParityView();
    await workbench.openFile("hello/hello.ipynb");
    const logsTab = "Logs: hello.ipynb";
    const succeeded = (text: string) =>
      workbench.page
        .locator(".notification-toast .notification-list-item")
        .filter({ hasText: "hello.ipynb succeeded" })
        .filter({ hasText: text })
        .first();
    const buttons = (toast: ReturnType<typeof succeeded>) =>
      toast.locator(".notification-list-item-buttons-container .monaco-button").allInnerTexts();

    // The logs panel opens as the run starts and is still open at its end: the toast offers nothing.
    await workbench.runCommand("Parity: Run Locally with Production Limits");
    await workbench.editorTab(logsTab).waitFor({ timeout: 120_000 });
    await workbench.waitForTreeStatus("Runs", "hello.ipynb", "Succeeded", 300_000);
    const quiet = succeeded("succeeded");
    await quiet.waitFor({ timeout: 30_000 });
    expect(await buttons(quiet)).toEqual([]);
    await workbench.screenshot("toast-logs-open");

    // Closed while the run goes on: the toast offers Open Logs, which opens them.
    await workbench.runCommand("Notifications: Clear All Notifications");
    await workbench.closeEditorTab(logsTab);
    await workbench.runCommand("Parity: Run Locally with Production Limits");
    await workbench.editorTab(logsTab).waitFor({ timeout: 120_000 });
    await workbench.closeEditorTab(logsTab);
    const offering = succeeded("succeeded");
    await offering.waitFor({ timeout: 300_000 });
    expect(await buttons(offering)).toEqual(["Open Logs"]);
    await workbench.screenshot("toast-logs-closed");
    await offering.locator(".monaco-button", { hasText: "Open Logs" }).click();
    await workbench.editorTab(logsTab).waitFor({ timeout: 30_000 });
  }, 600_000);
});

/** A profile with nothing to install: the image is the base image and the notebook. */
const HELLO_PROFILE = `apiVersion: parity.dev/v1
kind: Profile
name: fixture-hello
image:
  base: parity/python:3.11-bookworm
  python: "3.11"
resources:
  memory: 256Mi
  cpu: "1"
  gpu: 0
  shm: 64Mi
`;

/** Prints, then runs long enough for its logs panel to be closed while it runs. */
const HELLO_NOTEBOOK = JSON.stringify({
  cells: [
    {
      cell_type: "code",
      id: "c1",
      metadata: {},
      source: ["import time\n", "print('hello', flush=True)\n", "time.sleep(8)\n", "print('done')"],
      execution_count: null,
      outputs: [],
    },
  ],
  metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } },
  nbformat: 4,
  nbformat_minor: 5,
});
