import { cp, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { connectDocker } from "../../src/targets/docker/connection";
import { repoRoot } from "./harness/paths";
import { openVsCode } from "./harness/session";

/** The fixture's run builds its image from PyPI the first time; later runs reuse Docker's layer cache. */
const RUN_TIMEOUT = 600_000;
/** The serving image adds KServe's server (kserve from PyPI) to the run's image, then the model loads. */
const DEPLOY_TIMEOUT = 600_000;
/** What the fixture's model predicts for rows.json: versicolor, setosa, virginica. */
const PREDICTIONS = "[1,0,2]";
const LOAD = 40;

/** The label a serving container carries: the endpoint's name. */
const ENDPOINT_LABEL = "dev.parity.endpoint";
const RUN_LABEL = "dev.parity.run";

/** The endpoint's record, as the extension wrote it. */
async function endpointRecord(workspace: string): Promise<RunResult | undefined> {
  const runs = path.join(workspace, "serving", ".parity", "runs");
  for (const id of await readdir(runs).catch(() => [])) {
    const text = await readFile(path.join(runs, id, "run.json"), "utf8").catch(() => "");
    const result = text ? (JSON.parse(text) as RunResult) : undefined;
    if (result?.kind === "endpoint") return result;
  }
  return undefined;
}

/** The serving containers of this endpoint run still on the engine (any state). */
async function servingContainers(runId: string): Promise<string[]> {
  const { docker } = await connectDocker();
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [ENDPOINT_LABEL, `${RUN_LABEL}=${runId}`] },
  });
  return containers.map((container) => container.Id);
}

describe("endpoint", () => {
  test(
    "Deploy Model from the notebook's toolbar: the Endpoints view says it serves, the panel sends the rows and a short load, Stop on its row removes the container",
    async (context) => {
      const { workbench, workspace } = await openVsCode(context, {
        name: "endpoint",
        prepare: (root) =>
          cp(path.join(repoRoot, "test/fixtures/workspaces/serving"), path.join(root, "serving"), {
            recursive: true,
          }),
      });
      // The panel's page lives under the strict CSP: nothing it does may be refused.
      const refused: string[] = [];
      workbench.page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
      });
      await workbench.openParityView();
      await workbench.expandView("Endpoints");
      await workbench.openFile("serving/train.ipynb");

      // The model comes from the notebook's last succeeded run: run it first.
      await (await workbench.notebookAction("Run Locally with Production Limits")).click();
      await workbench.waitForTreeStatus("Runs", "train.ipynb", "Succeeded", RUN_TIMEOUT);
      await workbench.closeEditorTab("Logs: train.ipynb");
      await workbench.screenshot("trained");

      const deploy = await workbench.notebookAction("Deploy Model");
      await workbench.screenshot("notebook-toolbar");
      await deploy.click();
      const row = await workbench.waitForTreeStatus("Endpoints", "iris", "Serving", DEPLOY_TIMEOUT);
      expect(row).toMatch(/^iris\s*Serving · http:\/\/127\.0\.0\.1:\d+ · model\.joblib$/);
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(row)![0];
      const record = (await endpointRecord(workspace))!;
      expect(record).toMatchObject({ status: "running", endpoint: { name: "iris", url, detached: true } });
      expect(await servingContainers(record.runId)).toHaveLength(1);
      await workbench.screenshot("endpoints-view");

      // Once it serves, the notification says where, and opens its panel.
      const toast = workbench.page
        .locator(".notification-toast")
        .filter({ hasText: `Endpoint iris serves the model of train.ipynb at ${url}` })
        .first();
      await toast.waitFor({ timeout: 30_000 });
      await toast.hover();
      await toast.getByRole("button", { name: "Open Endpoint" }).click();
      const panel = await workbench.webviewFrame("Endpoint: iris");
      await expect
        .poll(() => panel.locator('[data-testid="endpoint-status"]').getAttribute("data-state"), {
          timeout: 30_000,
        })
        .toBe("serving");
      expect(await panel.locator('[data-testid="endpoint-url"]').innerText()).toBe(url);
      // The request editor starts with the notebook folder's rows.json.
      const rows = (await readFile(path.join(workspace, "serving", "rows.json"), "utf8")).trim();
      expect(await panel.locator('[data-testid="request-text"]').inputValue()).toBe(rows);

      // Send: the host sends the rows as a V1 request; the page shows the predictions and the latency.
      await panel.locator('[data-testid="send"]').click();
      await expect
        .poll(() => panel.locator('[data-testid="predictions"]').innerText(), { timeout: 30_000 })
        .toBe(PREDICTIONS);
      expect(await panel.locator('[data-testid="response-status"]').innerText()).toBe("HTTP 200");
      expect(await panel.locator('[data-testid="response-latency"]').innerText()).toMatch(/^\d+\.\d+ ms$/);
      expect(await panel.locator('[data-testid="response-body"]').innerText()).toContain('"predictions"');
      await workbench.screenshot("endpoint-response");

      // The same rows as an Open Inference Protocol (V2) request answer the same.
      await panel.locator('[data-testid="protocol-v2"]').click();
      await panel.locator('[data-testid="send"]').click();
      await expect
        .poll(() => panel.locator('[data-testid="response"] .muted').first().innerText(), { timeout: 30_000 })
        .toContain("/v2/models/iris/infer");
      await expect
        .poll(() => panel.locator('[data-testid="predictions"]').innerText(), { timeout: 30_000 })
        .toBe(PREDICTIONS);

      // Send N: a short load gives the latency histogram and the error count.
      await panel.locator('[data-testid="load-count"]').fill(String(LOAD));
      await panel.locator('[data-testid="load-count"]').press("Tab");
      await panel.locator('[data-testid="send-load"]').click();
      const histogram = panel.locator('[data-testid="latency-histogram"]');
      await histogram.waitFor({ timeout: 60_000 });
      const counts = (
        await panel
          .locator('[data-testid="histogram-bar"]')
          .evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute("data-count"))))
      ).reduce((sum, count) => sum + count, 0);
      expect(counts).toBe(LOAD);
      expect(await panel.locator('[data-testid="load-errors"]').getAttribute("data-errors")).toBe("0");
      expect(await panel.locator('[data-testid="load-summary"]').innerText()).toMatch(/^p50 [\d.]+ ms · p90/);
      // No cluster data: no canary section.
      expect(await panel.locator('[data-testid="canary"]').count()).toBe(0);
      await workbench.screenshot("endpoint-load");
      expect(refused).toEqual([]);

      // Open Logs: KServe's own lines, those it printed after the window stopped following it too.
      // (The endpoint panel is closed first: the harness reads the first webview in view.)
      await panel.locator('[data-testid="open-logs"]').click();
      await workbench.editorTab("Logs: train.ipynb").waitFor({ timeout: 30_000 });
      await workbench.closeEditorTab("Endpoint: iris");
      const logs = await workbench.webviewFrame("Logs: train.ipynb");
      await expect
        .poll(() => logs.locator('[data-testid="log-line"]').allInnerTexts(), { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([expect.stringContaining('"POST /v2/models/iris/infer HTTP/1.1" 200 OK')]),
        );
      await workbench.screenshot("endpoint-logs");
      await workbench.closeEditorTab("Logs: train.ipynb");

      // Stop from the row: the row says stopped, the container is gone, the panel can send no more.
      await workbench.contextMenu(workbench.treeRow("Endpoints", "iris").first(), "Stop Endpoint");
      await workbench.waitForTreeStatus("Endpoints", "iris", "Stopped", 60_000);
      await expect.poll(() => servingContainers(record.runId), { timeout: 30_000 }).toEqual([]);
      expect(await endpointRecord(workspace)).toMatchObject({ status: "cancelled" });
      await workbench.contextMenu(workbench.treeRow("Endpoints", "iris").first(), "Open Endpoint");
      const stopped = await workbench.webviewFrame("Endpoint: iris");
      await expect
        .poll(() => stopped.locator('[data-testid="endpoint-status"]').getAttribute("data-state"), {
          timeout: 30_000,
        })
        .toBe("stopped");
      expect(await stopped.locator('[data-testid="send"]').getAttribute("disabled")).not.toBeNull();
      // The editor starts with the last request sent to it.
      expect(await stopped.locator('[data-testid="request-text"]').inputValue()).toBe(rows);
      await workbench.screenshot("endpoint-stopped");
    },
    RUN_TIMEOUT + DEPLOY_TIMEOUT + 180_000,
  );

  test("in Restricted Mode Deploy Model is not on the toolbar, and from the palette it is refused with the reason", async (context) => {
    const { workbench, workspace } = await openVsCode(context, {
      name: "endpoint-restricted",
      trust: "prompt",
      prepare: (root) =>
        cp(path.join(repoRoot, "test/fixtures/workspaces/serving"), path.join(root, "serving"), {
          recursive: true,
        }),
    });
    await workbench.dialog().waitFor({ timeout: 60_000 });
    await workbench.clickDialogButton(/No, I don't trust/);
    await workbench.dialog().waitFor({ state: "hidden" });
    await workbench.openParityView();
    await workbench.openFile("serving/train.ipynb");
    await workbench.notebookToolbarButton("Run Locally with Production Limits").waitFor({ timeout: 30_000 });
    expect(await workbench.notebookToolbarButton("Deploy Model").count()).toBe(0);

    await workbench.runCommand("Parity: Deploy Model to a Local Endpoint");
    const refusal = workbench.page
      .locator(".notification-toast .notification-list-item-message")
      .filter({ hasText: "Restricted Mode" })
      .first();
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.innerText()).toMatch(/does not serve models in Restricted Mode.*Trust/);
    await workbench.waitForToastShown(refusal);
    await workbench.screenshot("restricted-refusal");
    expect(await endpointRecord(workspace)).toBeUndefined();
  });
});
