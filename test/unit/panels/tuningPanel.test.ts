import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { RunResult } from "../../../src/core/job/types";
import type { PanelOptions } from "../../../src/panels/types";
import type { TuningViewState } from "../../../src/protocol/tuning";
import * as fake from "./fakeVscode";

vi.mock("vscode", async () => await import("./fakeVscode"));

const panels = await import("../../../src/panels/index");
const { cellTags } = await import("../../../src/panels/tuning/applyBest");
const context = fake.fakeContext() as unknown as vscode.ExtensionContext;
const runId = "train-random-20261205-082108-7529";
const trialRunId = "train-random-1-20261205-082110-e8fb";

const options = (): PanelOptions => ({
  computeReport: vi.fn(async () => Promise.reject(new Error("no report in these tests"))),
  readPipeline: vi.fn(async () => Promise.reject(new Error("no pipeline in these tests"))),
  sendRequests: vi.fn(async () => Promise.reject(new Error("no endpoint in these tests"))),
  changeCanary: vi.fn(async () => Promise.reject(new Error("no canary in these tests"))),
  log: () => undefined,
});

function record(notebook: string): RunResult {
  return {
    runId,
    kind: "experiment",
    target: "local",
    status: "running",
    exitCode: null,
    oomKilled: false,
    image: "parity/tune:1",
    notebook,
    memoryLimitBytes: 128 * 1024 ** 2,
    startedAt: "2026-12-05T08:21:08.000Z",
    diagnosis: [],
    children: [trialRunId],
    experiment: {
      name: "train-random",
      file: path.join(path.dirname(notebook), "random.yaml"),
      specDigest: "d",
      algorithm: "random",
      objective: { type: "maximize", metric: "accuracy" },
      parallelTrialCount: 3,
      maxTrialCount: 6,
      params: [],
      trials: [
        {
          name: "train-random-1",
          status: "succeeded",
          parameters: [{ name: "lr", value: "0.02" }],
          runId: trialRunId,
          objective: 0.8,
        },
        { name: "train-random-2", status: "pending", parameters: [{ name: "lr", value: "0.04" }] },
      ],
      best: { trial: "train-random-1", parameters: [{ name: "lr", value: "0.02" }], objective: 0.8 },
    },
  };
}

async function settle(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

function lastState(panel: fake.FakePanel): TuningViewState | undefined {
  return [...panel.posted].reverse().find((message) => message.type === "state")?.payload as
    TuningViewState | undefined;
}

let workspaceDir: string;

beforeEach(async () => {
  fake.reset();
  fake.window.createWebviewPanel.mockClear();
  workspaceDir = await mkdtemp(path.join(tmpdir(), "parity-tuning-panel-"));
  fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(workspaceDir) }];
  const notebook = path.join(workspaceDir, "train.ipynb");
  for (const [id, result] of [
    [runId, record(notebook)],
    [
      trialRunId,
      { ...record(notebook), runId: trialRunId, kind: "job", parent: runId, trial: "train-random-1" },
    ],
  ] as const) {
    const dir = path.join(workspaceDir, ".parity", "runs", id);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "run.json"), JSON.stringify(result));
    await writeFile(path.join(dir, "logs.jsonl"), "");
  }
});
afterEach(async () => {
  for (const subscription of (
    context as unknown as { subscriptions: Array<{ dispose(): void }> }
  ).subscriptions.splice(0)) {
    subscription.dispose();
  }
  await rm(workspaceDir, { recursive: true, force: true });
});

describe("tuning panel", () => {
  it("shows the experiment's record once the page is ready, and opens a trial's logs from its row", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showTuningPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    expect(panel.viewType).toBe("parity.tuning");
    expect(panel.title).toBe("Tuning: train.ipynb");
    expect(panel.webview.html).toContain("default-src 'none'");
    expect(panel.webview.html).toContain("tuning.js");

    panel.receive({ type: "ready", payload: {} });
    await settle(() => (lastState(panel)?.trials.length ?? 0) === 2);
    expect(lastState(panel)).toMatchObject({
      experimentName: "train-random",
      statusLabel: "Running",
      best: { trial: "train-random-1" },
      chart: { objective: [0.8, null], bestSoFar: [0.8, 0.8] },
    });

    // A trial without a run, or a name the record does not have, opens nothing.
    panel.receive({ type: "openTrial", payload: { name: "train-random-2", view: "logs" } });
    panel.receive({ type: "openTrial", payload: { name: "../../x", view: "logs" } });
    expect(fake.state.panels).toHaveLength(1);
    panel.receive({ type: "openTrial", payload: { name: "train-random-1", view: "logs" } });
    expect(fake.state.panels).toHaveLength(2);
    expect(fake.state.panels[1]).toMatchObject({ viewType: "parity.logs", title: "Logs: train.ipynb" });
  });

  it("is restored after a reload from the experiment the page saved, and only from a run of the workspace", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    const panel = fake.fakePanel("parity.tuning", "Tuning: train.ipynb");
    await fake.state.serializers.get("parity.tuning")!.deserializeWebviewPanel(panel, {
      restore: { workspaceDir, runId },
    });
    expect(panel.disposed).toBe(false);
    panel.receive({ type: "ready", payload: {} });
    await settle(() => lastState(panel)?.experimentName === "train-random");

    const outside = fake.fakePanel("parity.tuning", "Tuning: train.ipynb");
    await fake.state.serializers.get("parity.tuning")!.deserializeWebviewPanel(outside, {
      restore: { workspaceDir: tmpdir(), runId },
    });
    expect(outside.disposed).toBe(true);
  });
});

describe("the parameters cell", () => {
  it("is found by its tag wherever the notebook serializer keeps a cell's tags", () => {
    expect(cellTags({ metadata: { tags: ["parameters"] } })).toEqual(["parameters"]);
    expect(cellTags({ custom: { metadata: { tags: ["parameters", 3] } } })).toEqual(["parameters"]);
    expect(cellTags({ tags: ["x"] })).toEqual(["x"]);
    expect(cellTags({ metadata: { tags: "parameters" } })).toEqual([]);
    expect(cellTags(undefined)).toEqual([]);
  });
});
