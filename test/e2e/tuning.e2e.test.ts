import { spawn } from "node:child_process";
import { copyFile, cp, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";

/** The fixture's experiment: 6 random trials, 3 at once; each trial is a few seconds of Python. */
const TRIALS = 6;
const TUNE_TIMEOUT = 120_000;

/** The source of train.ipynb's cell tagged parameters, as on disk. */
async function parametersCell(notebookFile: string): Promise<string> {
  const notebook = JSON.parse(await readFile(notebookFile, "utf8")) as {
    cells: { cell_type: string; source: string | string[]; metadata?: { tags?: string[] } }[];
  };
  const cell = notebook.cells.find((each) => each.metadata?.tags?.includes("parameters"));
  if (!cell) throw new Error(`${notebookFile} has no parameters cell`);
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** The experiment's record, as the extension wrote it. */
async function experimentRecord(workspace: string): Promise<RunResult> {
  const runs = path.join(workspace, "tuning", ".parity", "runs");
  for (const id of await readdir(runs)) {
    const result = JSON.parse(await readFile(path.join(runs, id, "run.json"), "utf8")) as RunResult;
    if (result.kind === "experiment") return result;
  }
  throw new Error(`no experiment recorded in ${runs}`);
}

describe("tuning", () => {
  test(
    "Tune from the notebook toolbar: the panel fills with the trials and the chart, the Experiments view says it succeeded, Apply Best Parameters writes the cell and Undo restores it",
    async (context) => {
      const { workbench, workspace } = await openVsCode(context, {
        name: "tuning",
        prepare: async (root) => {
          const dir = path.join(root, "tuning");
          await cp(path.join(repoRoot, "test/fixtures/workspaces/tuning"), dir, { recursive: true });
          // Found as the notebook's own experiment, as Tune looks for it.
          await copyFile(path.join(dir, "random.yaml"), path.join(dir, "train.experiment.yaml"));
        },
      });
      // The panel's page (uPlot included) lives under the strict CSP: nothing it does may be refused.
      const refused: string[] = [];
      workbench.page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
      });
      const notebookFile = path.join(workspace, "tuning", "train.ipynb");
      const before = await parametersCell(notebookFile);

      await workbench.openParityView();
      await workbench.expandView("Experiments");
      // Found before anything ran; examples/train/train.ipynb, without an experiment, is not listed.
      await workbench.treeRow("Experiments", "train.ipynb").first().waitFor({ timeout: 60_000 });
      const found = await workbench.treeTexts("Experiments");
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^train\.ipynb\s*train\.experiment\.yaml · not tuned yet$/);

      await workbench.openFile("tuning/train.ipynb");
      const tune = workbench.notebookToolbarButton("Tune");
      await tune.waitFor({ timeout: 30_000 });
      await workbench.screenshot("notebook-toolbar");
      await tune.click();

      // The tuning panel opens at the start and follows the record: six trials, all succeeded.
      const panel = await workbench.webviewFrame("Tuning: train.ipynb");
      const rows = panel.locator('[data-testid="trial-row"]');
      await expect
        .poll(() => panel.locator('[data-testid="experiment-status"]').getAttribute("data-status"), {
          timeout: TUNE_TIMEOUT,
        })
        .toBe("succeeded");
      expect(await rows.count()).toBe(TRIALS);
      expect(
        new Set(await rows.evaluateAll((each) => each.map((row) => row.getAttribute("data-status")))),
      ).toEqual(new Set(["succeeded"]));
      expect(await panel.locator('[data-testid="experiment-summary"]').innerText()).toMatch(
        /^Succeeded in .*: 6 succeeded$/,
      );
      expect(await panel.locator('[data-testid="experiment-reason"]').innerText()).toBe(
        "ExperimentMaxTrialsReached",
      );
      // Each trial has its objective in the table.
      const objectives = (await panel.locator('[data-testid="trial-objective"]').allInnerTexts()).map(Number);
      expect(objectives.every((value) => value > 0 && value < 1)).toBe(true);

      // The chart is drawn by uPlot: a point per trial, and pixels on its canvas.
      const chart = panel.locator('[data-testid="objective-chart"]');
      await expect.poll(() => chart.getAttribute("data-points"), { timeout: 15_000 }).toBe(String(TRIALS));
      const painted = await chart.locator("canvas").evaluate((canvas: HTMLCanvasElement) => {
        const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
        let count = 0;
        for (let index = 3; index < data.length; index += 4) if (data[index]! > 0) count++;
        return count;
      });
      expect(painted).toBeGreaterThan(500);
      expect(await panel.locator('[data-testid="parallel-coordinates"] path.trial-line').count()).toBe(
        TRIALS,
      );

      // Sorting by the objective, descending, puts the best trial first.
      const record = await experimentRecord(workspace);
      const best = record.experiment!.best!;
      const objectiveHeader = panel.locator('th[data-sort="objective"] button');
      await objectiveHeader.click();
      await objectiveHeader.click();
      await expect.poll(() => rows.first().getAttribute("data-trial")).toBe(best.trial);
      await workbench.screenshot("tuning-panel");
      expect(refused).toEqual([]);

      // The end is said once, with the best trial.
      await expect
        .poll(() => workbench.notifications(), { timeout: 15_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringContaining(`Best: ${best.trial}, accuracy = ${best.objective}`),
          ]),
        );

      // The Experiments view lists the experiment as succeeded, with its trials.
      await expect
        .poll(() => workbench.treeTexts("Experiments"), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(/Succeeded · best accuracy [\d.]+ · 6 trials · 6 succeeded$/),
          ]),
        );
      await expect
        .poll(() => workbench.treeTexts("Experiments"), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([expect.stringMatching(new RegExp(`^${best.trial}\\s*Succeeded · best`))]),
        );
      await workbench.screenshot("experiments-view");

      // Apply Best Parameters writes the best trial's values into the parameters cell, and saves it.
      await workbench.webviewFrame("Tuning: train.ipynb");
      await panel.locator('[data-testid="apply-best"]').click();
      await expect
        .poll(() => panel.locator('[data-testid="apply-outcome"]').getAttribute("data-ok"), {
          timeout: 30_000,
        })
        .toBe("true");
      const value = (name: string) => best.parameters.find((each) => each.name === name)!.value;
      const applied = before
        .replace(/^lr = .*$/m, `lr = ${Number(value("lr"))}`)
        .replace(/^layers = .*$/m, `layers = ${value("layers")}`)
        .replace(/^optimizer = .*$/m, `optimizer = "${value("optimizer")}"`);
      expect(applied).not.toBe(before);
      await expect.poll(() => parametersCell(notebookFile), { timeout: 15_000 }).toBe(applied);
      await workbench.screenshot("best-applied");

      // One edit: Undo in the notebook's parameters cell takes it back.
      await workbench.page
        .locator(".notebook-editor .cell-list-container .code-cell-row")
        .first()
        .locator(".monaco-editor .view-lines")
        .click();
      await workbench.page.keyboard.press("Control+Z");
      await workbench.page.keyboard.press("Control+S");
      await expect.poll(() => parametersCell(notebookFile), { timeout: 15_000 }).toBe(before);
      await workbench.screenshot("best-undone");
    },
    TUNE_TIMEOUT + 120_000,
  );

  test(
    "Cancel Experiment on the row of an experiment parity tune runs in a terminal: that process stops its trials and records it cancelled, ready to resume",
    async (context) => {
      const { workbench, workspace } = await openVsCode(context, {
        name: "tuning-cli",
        prepare: async (root) => {
          const dir = path.join(root, "tuning");
          await cp(path.join(repoRoot, "test/fixtures/workspaces/tuning"), dir, { recursive: true });
          await copyFile(path.join(dir, "random.yaml"), path.join(dir, "train.experiment.yaml"));
        },
      });
      // Started in a terminal, not by this window: its trials sleep long enough to be cancelled.
      const cli = spawn(
        process.execPath,
        [
          path.join(repoRoot, "bin", "parity.js"),
          "tune",
          "train.ipynb",
          "--no-doctor",
          "--no-report",
          "-p",
          "pause=60",
        ],
        { cwd: path.join(workspace, "tuning"), stdio: ["ignore", "pipe", "pipe"] },
      );
      const exited = new Promise<number | null>((resolve) => cli.on("exit", (code) => resolve(code)));
      let said = "";
      cli.stdout!.on("data", (chunk: Buffer) => (said += chunk.toString()));
      cli.stderr!.on("data", (chunk: Buffer) => (said += chunk.toString()));
      try {
        await expect
          .poll(async () => (await experimentRecord(workspace).catch(() => undefined))?.status, {
            timeout: TUNE_TIMEOUT,
          })
          .toBe("running");
        await workbench.openParityView();
        await workbench.expandView("Experiments");
        // The experiment's row, not one of its trials' ("Running · lr=…"), which it shows open below it.
        const row = workbench
          .treeRows("Experiments")
          .filter({ hasText: /Running · \d+ of \d+ trials done/ })
          .first();
        await row.waitFor({ timeout: 60_000 });
        await workbench.waitForMenuEntry(row, "Cancel Experiment");
        await workbench.contextMenu(row, "Cancel Experiment");
        // A local experiment: nothing to confirm; the process running it honours the request.
        expect(await exited, said).toBe(130);
        const record = await experimentRecord(workspace);
        expect(record.status).toBe("cancelled");
        expect(record.experiment!.trials.some((trial) => trial.status === "cancelled")).toBe(true);
        expect(record.experiment!.trials.every((trial) => trial.status !== "running")).toBe(true);
        await expect
          .poll(() => workbench.treeTexts("Experiments"), { timeout: 30_000 })
          .toEqual(expect.arrayContaining([expect.stringMatching(/Cancelled · /)]));
        await workbench.screenshot("cli-experiment-cancelled");
      } finally {
        if (cli.exitCode === null) cli.kill("SIGINT");
        await exited;
      }
    },
    TUNE_TIMEOUT * 3,
  );
});
