import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { PredictResult } from "../../../src/app/serving/predict";
import type { RunResult } from "../../../src/core/job/types";
import { summarizeLatencies } from "../../../src/core/serving/latency";
import type { InferenceRequest } from "../../../src/core/serving/protocol";
import type { ClusterEndpointState } from "../../../src/core/serving/types";
import type { PanelOptions } from "../../../src/panels/types";
import type { ComparisonAnswer, EndpointViewState, SendAnswer } from "../../../src/protocol/endpoint";
import * as fake from "./fakeVscode";

vi.mock("vscode", async () => await import("./fakeVscode"));

const panels = await import("../../../src/panels/index");
const { endpointViewState, loadView } = await import("../../../src/panels/endpoint/endpointView");
const { sampleRequest, rememberRequest, requestKey } =
  await import("../../../src/panels/endpoint/sampleRequest");
const context = fake.fakeContext() as unknown as vscode.ExtensionContext;
const runId = "serve-iris-20261205-140000-abcd";
const rows = "[[6.8, 2.8, 4.8, 1.4], [5.1, 3.5, 1.4, 0.2], [7.7, 3.0, 6.1, 2.3]]";

function record(notebook: string, status: RunResult["status"] = "running"): RunResult {
  return {
    runId,
    kind: "endpoint",
    target: "local",
    status,
    exitCode: null,
    oomKilled: false,
    image: "parity/fixture-serving-serve:1",
    notebook,
    memoryLimitBytes: 768 * 2 ** 20,
    startedAt: "2026-12-05T14:00:00.000Z",
    diagnosis: [],
    endpoint: {
      name: "iris",
      modelFile: path.join(path.dirname(notebook), "outputs", "model.joblib"),
      modelFormat: "joblib",
      fromRun: "train-20261205-135900-abcd",
      runImage: "parity/fixture-serving:1",
      servingImage: "parity/fixture-serving-serve:1",
      kserveVersion: "0.20.0",
      protocols: ["v1", "v2"],
      protocol: "v1",
      url: "http://127.0.0.1:49153",
      port: 49153,
      containerId: "c0ffee",
      readyAt: "2026-12-05T14:00:05.000Z",
      coldStartMs: 5200,
      buildMs: 0,
    },
  };
}

/** A cluster endpoint's record, Standard mode, Ready, with this split. */
function clusterRecord(local: RunResult, traffic: ClusterEndpointState["traffic"]): RunResult {
  return {
    ...local,
    target: "cluster",
    cluster: {
      context: "kind-prod",
      server: "https://127.0.0.1:6443",
      namespace: "team-a",
      kind: "InferenceService",
      apiVersion: "serving.kserve.io/v1beta1",
      name: "iris",
    },
    endpoint: {
      ...local.endpoint!,
      url: "http://iris-team-a.example.com",
      cluster: {
        mode: "Standard",
        modeSource: "status",
        traffic,
        conditions: [{ type: "Ready", status: "True" }],
      },
    },
  };
}

function answered(inference: InferenceRequest, count: number): PredictResult {
  return {
    url: "http://127.0.0.1:49153",
    model: "iris",
    protocol: inference.protocol,
    request: inference,
    answer: { ok: true, status: 200, predictions: [1, 0, 2], body: { predictions: [1, 0, 2] } },
    latencyMs: 3.21,
    ...(count > 1 ? { load: summarizeLatencies([3, 4, 12, 700], 1)!, firstError: "HTTP 500" } : {}),
  };
}

const sendRequests = vi.fn(
  async (
    _signal: AbortSignal,
    _url: string,
    inference: InferenceRequest,
    count: number,
    _concurrency: number,
    _model: string,
  ) => answered(inference, count),
);

const changeCanary = vi.fn(async (_run: unknown, change: string) => ({
  ok: true,
  message: change === "promote" ? "The canary of iris in team-a is promoted." : "Rolled back.",
}));

const options = (): PanelOptions => ({
  computeReport: vi.fn(async () => Promise.reject(new Error("no report in these tests"))),
  readPipeline: vi.fn(async () => Promise.reject(new Error("no pipeline in these tests"))),
  sendRequests: sendRequests as unknown as PanelOptions["sendRequests"],
  changeCanary: changeCanary as unknown as PanelOptions["changeCanary"],
  log: () => undefined,
});

async function settle(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

function last<T>(panel: fake.FakePanel, type: string): T | undefined {
  return [...panel.posted].reverse().find((message) => message.type === type)?.payload as T | undefined;
}

let workspaceDir: string;
let notebook: string;

beforeEach(async () => {
  fake.reset();
  fake.window.createWebviewPanel.mockClear();
  sendRequests.mockClear();
  changeCanary.mockClear();
  workspaceDir = await mkdtemp(path.join(tmpdir(), "parity-endpoint-panel-"));
  fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(workspaceDir) }];
  notebook = path.join(workspaceDir, "serving", "train.ipynb");
  await mkdir(path.dirname(notebook), { recursive: true });
  await writeFile(path.join(path.dirname(notebook), "rows.json"), `${rows}\n`);
  const dir = path.join(workspaceDir, ".parity", "runs", runId);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "run.json"), JSON.stringify(record(notebook)));
  await writeFile(path.join(dir, "logs.jsonl"), "");
});
afterEach(async () => {
  for (const subscription of (
    context as unknown as { subscriptions: Array<{ dispose(): void }> }
  ).subscriptions.splice(0)) {
    subscription.dispose();
  }
  await rm(workspaceDir, { recursive: true, force: true });
});

describe("endpoint panel", () => {
  it("shows the endpoint with the notebook's rows, sends them through the host and answers with the predictions and latency", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showEndpointPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    expect(panel.viewType).toBe("parity.endpoint");
    expect(panel.title).toBe("Endpoint: iris");
    expect(panel.webview.html).toContain("default-src 'none'");
    expect(panel.webview.html).toContain("endpoint.js");

    panel.receive({ type: "ready", payload: {} });
    await settle(() => last<EndpointViewState>(panel, "state")?.sample !== undefined);
    expect(last<EndpointViewState>(panel, "state")).toMatchObject({
      name: "iris",
      state: "serving",
      url: "http://127.0.0.1:49153",
      canSend: true,
      sample: { text: rows, source: "rows.json" },
    });

    panel.receive({
      type: "send",
      payload: { requestId: 1, text: rows, protocol: "v1", count: 1, concurrency: 1 },
    });
    await settle(() => last<SendAnswer>(panel, "answer") !== undefined);
    expect(sendRequests).toHaveBeenCalledTimes(1);
    const [, url, inference, count, concurrency, model] = sendRequests.mock.calls[0]!;
    expect([url, inference.path, count, concurrency, model]).toEqual([
      "http://127.0.0.1:49153",
      "/v1/models/iris:predict",
      1,
      1,
      "iris",
    ]);
    expect(inference.body).toEqual({ instances: JSON.parse(rows) });
    expect(last<SendAnswer>(panel, "answer")).toMatchObject({
      requestId: 1,
      result: { ok: true, status: 200, predictions: "[1,0,2]", latencyMs: 3.21 },
    });

    // A load: the histogram's buckets and the errors come back.
    panel.receive({
      type: "send",
      payload: { requestId: 2, text: rows, protocol: "v2", count: 50, concurrency: 4 },
    });
    await settle(() => last<SendAnswer>(panel, "answer")?.requestId === 2);
    expect(sendRequests.mock.calls[1]![2].path).toBe("/v2/models/iris/infer");
    expect(last<SendAnswer>(panel, "answer")?.result?.load).toMatchObject({
      requests: 4,
      errors: 1,
      firstError: "HTTP 500",
      buckets: [
        { label: "2–5 ms", count: 2 },
        { label: "5–10 ms", count: 0 },
        { label: "10–20 ms", count: 1 },
        { label: "20–50 ms", count: 0 },
        { label: "50–100 ms", count: 0 },
        { label: "100–200 ms", count: 0 },
        { label: "200–500 ms", count: 0 },
        { label: "500–1000 ms", count: 1 },
      ],
    });

    // The request sent is what the editor starts with next time.
    expect(fake.state.workspaceState.get("parity.endpointRequests")).toEqual({
      [requestKey(workspaceDir, "iris")]: rows,
    });
  });

  it("refuses what it cannot send, without sending: bad JSON, an empty editor, Restricted Mode, a malformed message", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showEndpointPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    panel.receive({ type: "ready", payload: {} });
    await settle(() => last<EndpointViewState>(panel, "state")?.canSend === true);

    const refusal = async (requestId: number, text: string): Promise<string | undefined> => {
      panel.receive({ type: "send", payload: { requestId, text, protocol: "v1", count: 1, concurrency: 1 } });
      await settle(() => last<SendAnswer>(panel, "answer")?.requestId === requestId);
      return last<SendAnswer>(panel, "answer")?.refused;
    };
    expect(await refusal(1, "[[1, 2],\n [3, 4")).toMatch(/^The request is not valid JSON \(line 2\)/);
    expect(await refusal(2, "  ")).toMatch(/^The request is empty/);
    expect(await refusal(3, '{"rows": []}')).toMatch(/no "instances" \(V1\) or "inputs" \(V2\) list/);
    fake.workspace.isTrusted = false;
    expect(await refusal(4, rows)).toMatch(/does not send requests to endpoints in Restricted Mode/);
    panel.receive({
      type: "send",
      payload: { requestId: 5, text: rows, protocol: "v3", count: 1, concurrency: 1 },
    });
    expect(sendRequests).not.toHaveBeenCalled();
  });

  it("says a stopped endpoint cannot be sent to, and is restored after a reload only from a run of the workspace", async () => {
    await writeFile(
      path.join(workspaceDir, ".parity", "runs", runId, "run.json"),
      JSON.stringify({ ...record(notebook, "cancelled"), finishedAt: "2026-12-05T14:10:00.000Z" }),
    );
    panels.registerPanels(context, options(), fake.collectSerializer);
    const restored = fake.fakePanel("parity.endpoint", "Endpoint: iris");
    await fake.state.serializers.get("parity.endpoint")!.deserializeWebviewPanel(restored, {
      restore: { workspaceDir, runId },
    });
    expect(restored.disposed).toBe(false);
    restored.receive({ type: "ready", payload: {} });
    await settle(() => last<EndpointViewState>(restored, "state")?.state === "stopped");
    expect(last<EndpointViewState>(restored, "state")).toMatchObject({
      canSend: false,
      whyNot: expect.stringMatching(/^The endpoint is stopped/),
    });
    expect(last<EndpointViewState>(restored, "state")?.canary).toBeUndefined();

    const outside = fake.fakePanel("parity.endpoint", "Endpoint: iris");
    await fake.state.serializers.get("parity.endpoint")!.deserializeWebviewPanel(outside, {
      restore: { workspaceDir: "/elsewhere", runId },
    });
    expect(outside.disposed).toBe(true);
  });
});

describe("the endpoint panel on a cluster canary", () => {
  const split = [
    {
      revision: "m-stable",
      percent: 100,
      tag: "stable",
      url: "http://iris-m-stable.team-a.svc",
      applied: true,
    },
    {
      revision: "m-canary",
      percent: 20,
      tag: "canary",
      url: "http://iris-m-canary.team-a.svc",
      applied: false,
    },
  ];

  async function openCanary(): Promise<fake.FakePanel> {
    await writeFile(
      path.join(workspaceDir, ".parity", "runs", runId, "run.json"),
      JSON.stringify(clusterRecord(record(notebook), split)),
    );
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showEndpointPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    panel.receive({ type: "ready", payload: {} });
    await settle(() => last<EndpointViewState>(panel, "state")?.canary?.actions.available === true);
    return panel;
  }

  it("Promote goes through the host's changeCanary, waits for it, and says what came of it", async () => {
    let finish: (outcome: { ok: boolean; message: string }) => void = () => undefined;
    changeCanary.mockImplementationOnce(
      () => new Promise<{ ok: boolean; message: string }>((resolve) => (finish = resolve)),
    );
    const panel = await openCanary();
    panel.receive({ type: "promote", payload: {} });
    await settle(() => last<EndpointViewState>(panel, "state")?.canary?.changing === "promote");
    expect(changeCanary).toHaveBeenCalledWith({ workspaceDir, runId }, "promote");
    // A second click meanwhile changes nothing more.
    panel.receive({ type: "rollback", payload: {} });
    expect(changeCanary).toHaveBeenCalledTimes(1);
    finish({ ok: true, message: "The canary of iris in team-a is promoted." });
    await settle(() => last<{ ok: boolean }>(panel, "canaryOutcome") !== undefined);
    expect(last(panel, "canaryOutcome")).toEqual({
      ok: true,
      message: "The canary of iris in team-a is promoted.",
    });
    await settle(() => last<EndpointViewState>(panel, "state")?.canary?.changing === undefined);
    expect(last<EndpointViewState>(panel, "state")?.canary?.actions.available).toBe(true);
  });

  it("Send to Each Revision sends the request once to each revision's own URL, and says plainly which did not answer", async () => {
    // Nothing answers at the canary's Service from here: sendRequests says so with status 0.
    sendRequests.mockImplementation(async (_signal, url, inference, count) =>
      url.includes("m-canary")
        ? {
            ...answered(inference, count),
            url,
            answer: { ok: false, status: 0, error: `no answer from ${url}: ENOTFOUND`, body: undefined },
          }
        : { ...answered(inference, count), url },
    );
    try {
      const panel = await openCanary();
      panel.receive({
        type: "compare",
        payload: { requestId: 7, text: rows, protocol: "v1", count: 1, concurrency: 1 },
      });
      await settle(() => last<ComparisonAnswer>(panel, "comparison") !== undefined);
      expect(sendRequests.mock.calls.map((call) => [call[1], call[3]])).toEqual([
        ["http://iris-m-stable.team-a.svc", 1],
        ["http://iris-m-canary.team-a.svc", 1],
      ]);
      const answers = last<ComparisonAnswer>(panel, "comparison")?.answers;
      expect(answers?.[0]).toMatchObject({
        revision: "m-stable",
        tag: "stable",
        result: { ok: true, predictions: "[1,0,2]", latencyMs: 3.21 },
      });
      expect(answers?.[1]).toEqual({
        revision: "m-canary",
        tag: "canary",
        url: "http://iris-m-canary.team-a.svc",
        failed:
          "no answer from http://iris-m-canary.team-a.svc: ENOTFOUND (an address inside the cluster: it answers there, and from this machine only through a port-forward or proxy).",
      });
      expect(answers?.[1]?.result).toBeUndefined();
      // Send to the endpoint's URL that nothing answers at: said plainly, no response shown as one.
      sendRequests.mockImplementationOnce(async (_signal, url, inference, count) => ({
        ...answered(inference, count),
        answer: { ok: false, status: 0, error: `no answer from ${url}: ENOTFOUND`, body: undefined },
      }));
      panel.receive({
        type: "send",
        payload: { requestId: 8, text: rows, protocol: "v1", count: 1, concurrency: 1 },
      });
      await settle(() => last<SendAnswer>(panel, "answer")?.requestId === 8);
      expect(last<SendAnswer>(panel, "answer")).toEqual({
        requestId: 8,
        refused: "The endpoint did not answer: no answer from http://iris-team-a.example.com: ENOTFOUND.",
      });
    } finally {
      sendRequests.mockImplementation(async (_signal, _url, inference, count) => answered(inference, count));
    }
  });

  it("refuses to compare an endpoint without a canary", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showEndpointPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    panel.receive({ type: "ready", payload: {} });
    await settle(() => last<EndpointViewState>(panel, "state")?.canSend === true);
    panel.receive({
      type: "compare",
      payload: { requestId: 1, text: rows, protocol: "v1", count: 1, concurrency: 1 },
    });
    await settle(() => last<ComparisonAnswer>(panel, "comparison") !== undefined);
    expect(last<ComparisonAnswer>(panel, "comparison")?.refused).toMatch(/no canary/);
    expect(sendRequests).not.toHaveBeenCalled();
  });
});

describe("the endpoint panel's view", () => {
  const base = (): RunResult => record("/w/serving/train.ipynb");

  it("lists where it runs, the model relative to the notebook, and how long it took to be ready", () => {
    const view = endpointViewState({ runId, record: base() });
    expect(view.facts).toEqual(
      expect.arrayContaining([
        { label: "Model", value: "outputs/model.joblib (joblib), written by run train-20261205-135900-abcd" },
        { label: "Runs on", value: "local Docker, published on 127.0.0.1:49153" },
        { label: "Memory limit", value: "768 MiB" },
        { label: "Ready in", value: "5.2 s from the deploy (the serving image was up to date)" },
      ]),
    );
  });

  it("waits for a record not written yet, and says why a loading endpoint cannot be sent to", () => {
    expect(endpointViewState({ runId })).toMatchObject({
      canSend: false,
      note: "Waiting for the endpoint's record...",
    });
    const loading = endpointViewState({
      runId,
      record: { ...base(), status: "pending" },
    });
    expect(loading).toMatchObject({ state: "loading", live: true, canSend: false });
    expect(loading.whyNot).toMatch(/still loading/);
  });

  it("shows a canary's split only where there is one, marking the shares KServe does not route", () => {
    const stable = { revision: "iris-1", percent: 100, tag: "stable", applied: true };
    const noCanary = endpointViewState({ runId, record: clusterRecord(base(), [stable]) });
    expect(noCanary.canary).toBeUndefined();
    expect(noCanary.conditions).toEqual([{ type: "Ready", status: "True" }]);
    const withCanary = endpointViewState({
      runId,
      record: clusterRecord(base(), [
        stable,
        { revision: "iris-2", percent: 10, tag: "canary", applied: false },
      ]),
    });
    expect(withCanary.canary).toEqual({
      shares: [
        { ...stable, words: "100 % · stable · routed" },
        {
          revision: "iris-2",
          percent: 10,
          tag: "canary",
          applied: false,
          words: "10 % · canary · asked for, not routed by KServe",
        },
      ],
      actions: { available: true },
      compare: { available: false, why: "KServe gives no URL of each revision's own for this endpoint." },
    });
    // Knative's split: the latest revision takes part of the traffic; rolled back (0 %), none.
    const knative = (percent: number) =>
      endpointViewState({
        runId,
        record: clusterRecord(base(), [
          { revision: "iris-1", percent: 100 - percent, tag: "prev", applied: true },
          { revision: "iris-2", percent, tag: "latest", applied: true },
        ]),
      }).canary;
    expect(knative(20)?.shares).toHaveLength(2);
    expect(knative(0)).toBeUndefined();
  });

  it("offers Promote and Roll Back on a serving cluster endpoint's canary only, in a trusted window, one change at a time", () => {
    const split = [
      { revision: "iris-1", percent: 100, tag: "stable", url: "http://iris-1.team-a.svc", applied: true },
      { revision: "iris-2", percent: 20, tag: "canary", url: "http://iris-2.team-a.svc", applied: false },
    ];
    const serving = clusterRecord(base(), split);
    expect(endpointViewState({ runId, record: serving }).canary).toMatchObject({
      actions: { available: true },
      compare: { available: true },
    });
    expect(
      endpointViewState({
        runId,
        record: serving,
        changeRefusal: "Parity does not deploy ... Restricted Mode",
      }).canary?.actions,
    ).toEqual({ available: false, why: "Parity does not deploy ... Restricted Mode" });
    expect(endpointViewState({ runId, record: serving, changing: "promote" }).canary).toMatchObject({
      actions: { available: false, why: "Promoting the canary: wait for KServe." },
      changing: "promote",
    });
    const loading = endpointViewState({ runId, record: { ...serving, status: "pending" } }).canary;
    expect(loading?.actions.available).toBe(false);
    expect(loading?.compare.available).toBe(false);
    const local = endpointViewState({ runId, record: { ...serving, target: "local" } }).canary;
    expect(local?.actions.why).toMatch(/on a cluster/);
  });

  it("labels a load's buckets from the bound below each", () => {
    const view = loadView(summarizeLatencies([0.5, 15000], 0)!);
    expect(view.buckets[0]).toEqual({ label: "0–1 ms", count: 1 });
    expect(view.buckets.at(-1)).toEqual({ label: "> 10000 ms", count: 1 });
    expect(view.summary).toMatch(/^p50 0\.50 ms · p90 15000\.0 ms/);
  });
});

describe("the request editor's sample", () => {
  it("is the last request sent to the endpoint, else the notebook folder's rows.json, else nothing", async () => {
    const memory = fake.fakeContext().workspaceState;
    const key = requestKey(workspaceDir, "iris");
    expect(await sampleRequest(memory, key, notebook)).toEqual({ text: rows, source: "rows.json" });
    await rememberRequest(memory, key, '{"instances": [[1, 2, 3, 4]]}');
    expect(await sampleRequest(memory, key, notebook)).toEqual({
      text: '{"instances": [[1, 2, 3, 4]]}',
      source: "the last request sent",
    });
    expect(
      await sampleRequest(memory, requestKey(workspaceDir, "other"), "/nowhere/x.ipynb"),
    ).toBeUndefined();
  });
});
