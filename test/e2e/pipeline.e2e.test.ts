import { cp } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";

// The steps' image builds from the base image alone (the notebook needs no packages): a minute at most.
const RUN_TIMEOUT = 300_000;
/** numbers.ipynb of test/fixtures/workspaces/kale-pipeline: load, then squares and total, then report. */
const STEPS = ["load", "squares", "total", "report"];

describe("pipelines", () => {
  test(
    "Run Pipeline Locally from the palette: the Pipelines view lists the run and the run graph shows every step succeed",
    async (context) => {
      const { workbench } = await openVsCode(context, {
        name: "pipeline-run",
        prepare: (workspace) =>
          cp(
            path.join(repoRoot, "test/fixtures/workspaces/kale-pipeline"),
            path.join(workspace, "kale-pipeline"),
            { recursive: true },
          ),
      });
      await workbench.openParityView();
      await workbench.expandView("Pipelines");
      // The tagged notebook is found before anything ran; the examples' notebooks, untagged, are not.
      await workbench.treeRow("Pipelines", "numbers.ipynb").first().waitFor({ timeout: 60_000 });
      await workbench.expectNoTreeRow("Pipelines", "train.ipynb", 500);
      await workbench.screenshot("pipelines-view");

      await workbench.openFile("kale-pipeline/numbers.ipynb");
      await workbench.runCommand("Parity: Run Pipeline Locally");
      // The run graph opens once the pipeline's record is written, and follows it.
      const graph = await workbench.webviewFrame("Run Graph: numbers.ipynb");
      const nodes = graph.locator('[data-testid="graph-node"]');
      await expect.poll(() => nodes.count(), { timeout: RUN_TIMEOUT }).toBe(STEPS.length);
      for (const step of STEPS) {
        const node = graph.locator(`[data-testid="graph-node"][data-step="${step}"]`);
        await expect.poll(() => node.getAttribute("data-status"), { timeout: RUN_TIMEOUT }).toBe("succeeded");
      }
      await expect
        .poll(() => graph.locator('[data-testid="run-status"]').getAttribute("data-status"), {
          timeout: 30_000,
        })
        .toBe("succeeded");
      // The edges drawn are the notebook's prev: tags.
      const edges = await graph
        .locator("path.edge")
        .evaluateAll((paths) =>
          paths.map((each) => `${each.getAttribute("data-from")}>${each.getAttribute("data-to")}`),
        );
      expect(edges.sort()).toEqual(["load>squares", "load>total", "squares>report", "total>report"]);
      await workbench.screenshot("run-graph-succeeded");

      // The Pipelines view lists the run under the notebook, with its steps (the views it does not
      // need collapsed: a tree draws only the rows that fit, and the side bar holds six views).
      for (const view of ["Environment", "Experiments", "Endpoints"]) await workbench.collapseView(view);
      await expect
        .poll(() => workbench.treeTexts("Pipelines"), { timeout: 30_000 })
        .toEqual(expect.arrayContaining([expect.stringMatching(/Succeeded · .* · 4 succeeded$/)]));
      await expect
        .poll(() => workbench.treeTexts("Pipelines"), { timeout: 30_000 })
        .toEqual(expect.arrayContaining([expect.stringMatching(/^report\s*Succeeded/)]));
      await workbench.screenshot("pipelines-view-run");

      // A node's click opens its step's logs.
      await graph.locator('[data-testid="graph-node"][data-step="report"]').click();
      await workbench.editorTab("Logs: numbers.ipynb").waitFor({ timeout: 30_000 });
      await workbench.screenshot("step-logs-opened");
      // Side by side, the graph's page would be found first: close it to read the logs' page.
      await workbench.closeEditorTab("Run Graph: numbers.ipynb");
      const logs = await workbench.webviewFrame("Logs: numbers.ipynb");
      await expect
        .poll(() => logs.locator('[data-testid="log-line"]').allInnerTexts(), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([expect.stringContaining('report {"sum_of_squares": 30, "total": 10}')]),
        );
      await workbench.screenshot("step-logs");
    },
    RUN_TIMEOUT + 180_000,
  );
});
