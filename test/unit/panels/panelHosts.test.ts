import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { RunResult } from "../../../src/core/job/types";
import { buildParityReport } from "../../../src/core/parity/buildParityReport";
import { parseRequirements } from "../../../src/core/requirements/parseRequirements";
import type { PanelOptions } from "../../../src/panels/types";
import type { ReportData } from "../../../src/services/reportStore";
import { matchingInput } from "../parity/fixtures";
import * as fake from "./fakeVscode";

vi.mock("vscode", async () => await import("./fakeVscode"));

const panels = await import("../../../src/panels/index");
const context = fake.fakeContext() as unknown as vscode.ExtensionContext;

function reportData(requirementsText: string): ReportData {
  const requirementsFile = "/w/requirements.txt";
  const report = buildParityReport(
    matchingInput({
      requirements: parseRequirements(requirementsText, requirementsFile),
      profile: {
        python: "3.11",
        memoryBytes: 8 * 1024 ** 3,
        shmBytes: 2 * 1024 ** 3,
        gpu: 0,
        requirementsFile,
      },
    }),
  );
  return { notebookFile: "/w/train.ipynb", profileFile: "/w/parity.yaml", report };
}

function options(overrides: Partial<PanelOptions> = {}): PanelOptions & { logged: string[] } {
  const logged: string[] = [];
  return {
    computeReport: vi.fn(async () => reportData(fake.state.documents.get("/w/requirements.txt")?.text ?? "")),
    readPipeline: vi.fn(async () => Promise.reject(new Error("no pipeline in these tests"))),
    sendRequests: vi.fn(async () => Promise.reject(new Error("no endpoint in these tests"))),
    changeCanary: vi.fn(async () => Promise.reject(new Error("no canary in these tests"))),
    log: (message) => void logged.push(message),
    logged,
    ...overrides,
  };
}

function lastOf(panel: fake.FakePanel, type: string) {
  return [...panel.posted].reverse().find((message) => message.type === type)?.payload as never;
}

async function settle(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

beforeEach(() => {
  fake.reset();
  fake.window.createWebviewPanel.mockClear();
});
afterEach(() => {
  for (const subscription of (
    context as unknown as { subscriptions: Array<{ dispose(): void }> }
  ).subscriptions.splice(0)) {
    subscription.dispose();
  }
});

describe("report panel", () => {
  it("loads a page with a strict CSP and holds its posts until the webview is ready", () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showReportPanel(context, reportData("numpy\n"));
    const panel = fake.state.panels[0]!;

    expect(panel.title).toBe("Parity Report: train.ipynb");
    const html = panel.webview.html;
    expect(html).toContain("default-src 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
    expect(nonce).toBeTruthy();
    expect(html).toContain(
      `<script type="module" nonce="${nonce}" src="file:///ext/dist/webview/report.js">`,
    );
    expect(html).toContain("style-src https://webview.test");
    expect(html).toContain('data-restore="{&#34;notebookFile&#34;:&#34;/w/train.ipynb&#34;}"');
    expect(panel.webview.options).toEqual({
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [fake.Uri.file("/ext/dist/webview")],
    });
    expect(panel.options.retainContextWhenHidden).toBe(true);
    expect(panel.posted).toEqual([]);

    panel.receive({ type: "ready", payload: {} });
    const state = lastOf(panel, "state") as { items: Array<{ code: string; applyTitle?: string }> };
    expect(state.items.find((item) => item.code === "RequirementUnpinned")?.applyTitle).toBe(
      "Pin numpy==1.26.4 in requirements.txt",
    );
  });

  it("keeps one panel per notebook and reveals it", () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showReportPanel(context, reportData("numpy\n"));
    panels.showReportPanel(context, reportData("numpy==1.26.4\n"));
    expect(fake.window.createWebviewPanel).toHaveBeenCalledTimes(1);
    expect(fake.state.panels[0]!.reveal).toHaveBeenCalled();
  });

  it("applies a fix as a workspace edit, saves, answers the request and checks parity again", async () => {
    const panelOptions = options();
    panels.registerPanels(context, panelOptions, fake.collectSerializer);
    const requirements = fake.document("/w/requirements.txt", "torch==2.3.1+cu121\nnumpy  # math\n");
    const data = reportData(requirements.text);
    panels.showReportPanel(context, data);
    const panel = fake.state.panels[0]!;
    panel.receive({ type: "ready", payload: {} });
    const index = data.report.items.findIndex((item) => item.code === "RequirementUnpinned");

    panel.receive({ type: "applyFix", payload: { requestId: 7, index } });
    await settle(
      () =>
        lastOf(panel, "applied") !== undefined && vi.mocked(panelOptions.computeReport).mock.calls.length > 0,
    );

    expect(requirements.text).toBe("torch==2.3.1+cu121\nnumpy==1.26.4  # math\n");
    expect(requirements.save).toHaveBeenCalled();
    expect(lastOf(panel, "applied")).toEqual({
      requestId: 7,
      ok: true,
      message: "Pin numpy==1.26.4 in requirements.txt: done.",
    });
    await settle(() =>
      (lastOf(panel, "state") as { items: Array<{ code: string }> }).items.every(
        (item) => item.code !== "RequirementUnpinned",
      ),
    );
  });

  it("refuses a stale fix with a sentence and ignores malformed messages", async () => {
    const panelOptions = options();
    panels.registerPanels(context, panelOptions, fake.collectSerializer);
    fake.document("/w/requirements.txt", "pandas\n");
    const data = reportData("torch==2.3.1+cu121\nnumpy\n");
    panels.showReportPanel(context, data);
    const panel = fake.state.panels[0]!;
    panel.receive({ type: "ready", payload: {} });
    panel.receive({ type: "applyFix", payload: { requestId: 1, index: "all" } });
    expect(panelOptions.logged[0]).toMatch(/malformed message/);

    const index = data.report.items.findIndex((item) => item.code === "RequirementUnpinned");
    panel.receive({ type: "applyFix", payload: { requestId: 2, index } });
    await settle(() => lastOf(panel, "applied") !== undefined);
    expect(lastOf(panel, "applied")).toMatchObject({ requestId: 2, ok: false });
    expect((lastOf(panel, "applied") as { message: string }).message).toMatch(/changed since the report/);
    expect(fake.state.edits).toEqual([]);
  });

  it("loads its page again when the page in view does not say ready (a blank restored webview)", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const panelOptions = options();
      panels.registerPanels(context, panelOptions, fake.collectSerializer);
      panels.showReportPanel(context, reportData("numpy\n"));
      const panel = fake.state.panels[0]!;
      const first = panel.webview.html;
      vi.advanceTimersByTime(4000);
      expect(panel.webview.html).not.toBe(first);
      expect(panel.webview.html).toContain('data-restore="');
      expect(panelOptions.logged).toEqual([
        'report panel "Parity Report: train.ipynb": its page did not answer within 4 s; loading it again (attempt 1).',
      ]);
      panel.receive({ type: "ready", payload: {} });
      expect(lastOf(panel, "state")).toMatchObject({ notebookName: "train.ipynb" });
      const loaded = panel.webview.html;
      vi.advanceTimersByTime(60_000);
      expect(panel.webview.html).toBe(loaded);
    } finally {
      vi.useRealTimers();
    }
  });

  it("is restored after a reload from the notebook file the webview saved, and computes the report again", async () => {
    const panelOptions = options();
    panels.registerPanels(context, panelOptions, fake.collectSerializer);
    const panel = fake.fakePanel("parity.report", "Parity Report: train.ipynb");
    await fake.state.serializers.get("parity.report")!.deserializeWebviewPanel(panel, {
      restore: { notebookFile: "/w/train.ipynb" },
      ui: {},
    });
    expect(panelOptions.computeReport).toHaveBeenCalledWith("/w/train.ipynb", expect.any(AbortSignal));

    const broken = fake.fakePanel("parity.report", "?");
    await fake.state.serializers.get("parity.report")!.deserializeWebviewPanel(broken, { ui: {} });
    expect(broken.disposed).toBe(true);
  });
});

describe("logs and diagnosis panels", () => {
  let workspaceDir: string;
  const runId = "train-20261129-070000-ab12";
  const result: RunResult = {
    runId,
    target: "local",
    status: "failed",
    exitCode: 1,
    oomKilled: false,
    image: "parity/train:1",
    notebook: "/w/train.ipynb",
    memoryLimitBytes: 128 * 1024 ** 2,
    diagnosis: [
      {
        code: "PythonException",
        severity: "error",
        message: "ValueError: bad (raised in cell 2, line 3)",
        fix: "Fix the code at that line.",
        location: { file: "/w/train.ipynb", cell: 2, cellId: "cell-1", line: 3 },
      },
    ],
  };

  beforeEach(async () => {
    workspaceDir = await mkdtemp(path.join(tmpdir(), "parity-panels-"));
    fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(workspaceDir) }];
    const dir = path.join(workspaceDir, ".parity", "runs", runId);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "run.json"), JSON.stringify(result));
    await writeFile(
      path.join(dir, "logs.jsonl"),
      [
        { stream: "stdout", text: "\u001b[32mepoch 1\u001b[0m", time: 1 },
        { stream: "stderr", text: "ValueError: bad", time: 2 },
      ]
        .map((line) => JSON.stringify(line))
        .join("\n") + "\n",
    );
  });
  afterEach(async () => {
    await rm(workspaceDir, { recursive: true, force: true });
  });

  it("sends a run's recorded lines after ready, and copies and saves them without colours", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showLogsPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    expect(panel.title).toBe("Logs: train.ipynb");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(panel.posted).toEqual([]);

    panel.receive({ type: "ready", payload: {} });
    await settle(() => lastOf(panel, "end") !== undefined);
    expect(lastOf(panel, "end")).toEqual({
      lines: [
        { stream: "stdout", text: "\u001b[32mepoch 1\u001b[0m", time: 1 },
        { stream: "stderr", text: "ValueError: bad", time: 2 },
      ],
      earlier: false,
    });
    await settle(() => (lastOf(panel, "run") as { status: string }).status === "failed");
    expect(lastOf(panel, "run")).toMatchObject({
      status: "failed",
      live: false,
      notebookName: "train.ipynb",
    });

    panel.receive({ type: "copyAll", payload: { filter: { streams: ["stdout", "stderr"] } } });
    await settle(() => fake.state.clipboard !== "");
    expect(fake.state.clipboard).toBe("epoch 1\nValueError: bad\n");

    fake.state.saveTarget = fake.Uri.file(path.join(workspaceDir, "out.log"));
    panel.receive({ type: "save", payload: { filter: { streams: ["stderr"] } } });
    await settle(() => fake.state.written.size > 0);
    expect(fake.state.written.get(path.join(workspaceDir, "out.log"))).toBe("ValueError: bad\n");
    expect(lastOf(panel, "notice")).toEqual({ message: "Saved 1 line to out.log." });
  });

  it("sends a long log's end first, then the lines before it in order, while new lines follow the end", async () => {
    const file = path.join(workspaceDir, ".parity", "runs", runId, "logs.jsonl");
    const line = (index: number) =>
      `${JSON.stringify({ stream: "stdout", text: `line ${index}`, time: index })}\n`;
    await writeFile(file, Array.from({ length: 12_000 }, (_, index) => line(index)).join(""));
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showLogsPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    panel.receive({ type: "ready", payload: {} });
    await settle(() => panel.posted.some((message) => message.type === "end"));
    await appendFile(file, line(12_000));
    const texts = (type: string) =>
      panel.posted
        .filter((message) => message.type === type)
        .flatMap((message) =>
          (message.payload as { lines: Array<{ text: string }> }).lines.map((each) => each.text),
        );
    await settle(
      () =>
        panel.posted.some((message) => (message.payload as { done?: boolean }).done === true) &&
        texts("lines").length > 0,
    );

    const end = texts("end");
    expect(end).toHaveLength(1000);
    expect(end.at(-1)).toBe("line 11999");
    expect(lastOf(panel, "end")).toMatchObject({ earlier: true });
    expect([...texts("earlier"), ...end, ...texts("lines")]).toEqual(
      Array.from({ length: 12_001 }, (_, index) => `line ${index}`),
    );
    // Bounded posts: none carries more than the batcher's 5,000 lines.
    expect(
      panel.posted.every(
        (message) => ((message.payload as { lines?: unknown[] }).lines?.length ?? 0) <= 5000,
      ),
    ).toBe(true);
  });

  it("ends the earlier part when reading it fails, so the page stops loading, and says so", async () => {
    const file = path.join(workspaceDir, ".parity", "runs", runId, "logs.jsonl");
    const line = (index: number) =>
      `${JSON.stringify({ stream: "stdout", text: `line ${index}`, time: index })}\n`;
    await writeFile(file, Array.from({ length: 3000 }, (_, index) => line(index)).join(""));
    const logged: string[] = [];
    panels.registerPanels(
      context,
      options({ log: (message) => void logged.push(message) }),
      fake.collectSerializer,
    );
    panels.showLogsPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    // The fake webview refuses the first post of earlier lines, as a failed read would end it.
    const post = panel.webview.postMessage.bind(panel.webview);
    let refused = false;
    panel.webview.postMessage = async (message: unknown) => {
      const { type, payload } = message as { type: string; payload: { lines: unknown[] } };
      if (type === "earlier" && payload.lines.length > 0 && !refused) {
        refused = true;
        throw new Error("the earlier lines could not be read");
      }
      return post(message);
    };
    panel.receive({ type: "ready", payload: {} });
    await settle(() => lastOf(panel, "notice") !== undefined);
    expect(lastOf(panel, "earlier")).toEqual({ lines: [], done: true });
    expect(lastOf(panel, "notice")).toMatchObject({
      message: expect.stringContaining("the earlier lines could not be read"),
    });
  });

  it("restores a logs panel from the run the webview saved, and refuses anything else", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    const panel = fake.fakePanel("parity.logs", "Logs: train.ipynb");
    await fake.state.serializers.get("parity.logs")!.deserializeWebviewPanel(panel, {
      restore: { workspaceDir, runId },
    });
    expect(panel.disposed).toBe(false);
    panel.receive({ type: "ready", payload: {} });
    await settle(() => lastOf(panel, "end") !== undefined);

    for (const restore of [
      { workspaceDir, runId: "../../etc" },
      { workspaceDir, runId: ".." },
      { workspaceDir: path.join(workspaceDir, ".parity", "runs", runId), runId: "." },
      { workspaceDir: "relative/dir", runId },
      { workspaceDir: tmpdir(), runId }, // a folder outside the workspace
    ]) {
      const other = fake.fakePanel("parity.logs", "Logs");
      await fake.state.serializers.get("parity.logs")!.deserializeWebviewPanel(other, { restore });
      expect(other.disposed, JSON.stringify(restore)).toBe(true);
    }
  });

  it("refuses to open the logs or diagnosis of a run outside the workspace folders, saying why", async () => {
    const outside = await mkdtemp(path.join(tmpdir(), "parity-outside-"));
    try {
      await mkdir(path.join(outside, ".parity", "runs", runId), { recursive: true });
      const run = { workspaceDir: outside, runId };
      const opts = options();
      panels.registerPanels(context, opts, fake.collectSerializer);
      panels.showLogsPanel(context, run);
      panels.showDiagnosisPanel(context, { workspaceDir, runId: ".." });
      expect(fake.state.panels).toEqual([]);
      expect(fake.state.errors).toHaveLength(2);
      expect(fake.state.errors[0]).toMatch(
        /^Parity did not open the logs of run train-.*inside this window's workspace folders\. Open the folder/,
      );
      expect(opts.logged.join("\n")).toContain("Refused to open the logs");
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("says why the logs could not be saved, in words, with the next step", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showLogsPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    panel.receive({ type: "ready", payload: {} });
    fake.state.saveTarget = fake.Uri.file(path.join(workspaceDir, "out.log"));
    const writeFile = fake.workspace.fs.writeFile;
    fake.workspace.fs.writeFile = async () => {
      throw Object.assign(new Error("EACCES: permission denied, open 'out.log'"), { code: "EACCES" });
    };
    try {
      panel.receive({ type: "save", payload: { filter: { streams: ["stderr"] } } });
      await settle(() => lastOf(panel, "notice") !== undefined);
      expect(lastOf(panel, "notice")).toEqual({
        message:
          "The logs could not be saved to out.log: permission was denied. Pick another folder and try again.",
        error: true,
      });
    } finally {
      fake.workspace.fs.writeFile = writeFile;
    }
  });

  it("restores a logs panel whose webview never loaded (covered by the diagnosis) from what the host remembers", async () => {
    const run = { workspaceDir, runId };
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showLogsPanel(context, run);
    panels.showDiagnosisPanel(context, run);
    panels.showReportPanel(context, reportData("numpy\n"));
    fake.state.panels[2]!.dispose(); // the user closes the report: not restored
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The window reloads: the extension's subscriptions go (its panels with them), then a new session.
    for (const subscription of (
      context as unknown as { subscriptions: Array<{ dispose(): void }> }
    ).subscriptions.splice(0)) {
      subscription.dispose();
    }
    panels.registerPanels(context, options(), fake.collectSerializer);

    const logs = fake.fakePanel("parity.logs", "Logs: train.ipynb");
    await fake.state.serializers.get("parity.logs")!.deserializeWebviewPanel(logs, undefined);
    expect(logs.disposed).toBe(false);
    expect(logs.webview.html).toContain(`data-restore="`);
    logs.receive({ type: "ready", payload: {} });
    await settle(() => lastOf(logs, "end") !== undefined);

    const diagnosis = fake.fakePanel("parity.diagnosis", "Diagnosis: train.ipynb");
    await fake.state.serializers.get("parity.diagnosis")!.deserializeWebviewPanel(diagnosis, {
      restore: run,
      ui: {},
    });
    expect(diagnosis.disposed).toBe(false);

    const report = fake.fakePanel("parity.report", "Parity Report: train.ipynb");
    await fake.state.serializers.get("parity.report")!.deserializeWebviewPanel(report, undefined);
    expect(report.disposed).toBe(true);
    // A second tab of the same run is not opened twice.
    const twice = fake.fakePanel("parity.logs", "Logs: train.ipynb");
    await fake.state.serializers.get("parity.logs")!.deserializeWebviewPanel(twice, undefined);
    expect(twice.disposed).toBe(true);
  });

  it("keeps its retained page up to date while hidden, with no new ready", async () => {
    const live = { ...result, status: "running" as const, exitCode: null, diagnosis: [] };
    const record = path.join(workspaceDir, ".parity", "runs", runId, "run.json");
    await writeFile(record, JSON.stringify(live));
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showDiagnosisPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    expect(panel.options.retainContextWhenHidden).toBe(true);
    panel.receive({ type: "ready", payload: {} });
    await settle(() => (lastOf(panel, "state") as { status?: string } | undefined)?.status === "running");

    panel.setVisible(false);
    await writeFile(record, JSON.stringify(result));
    await settle(() => (lastOf(panel, "state") as { status?: string } | undefined)?.status === "failed");
    const html = panel.webview.html;
    panel.setVisible(true);
    expect(panel.webview.html).toBe(html);
    panel.dispose();
  });

  it("follows the record of a restored panel that is not retained only while its page is in view", async () => {
    const live = { ...result, status: "running" as const, exitCode: null, diagnosis: [] };
    const record = path.join(workspaceDir, ".parity", "runs", runId, "run.json");
    await writeFile(record, JSON.stringify(live));
    panels.registerPanels(context, options(), fake.collectSerializer);
    const panel = fake.fakePanel("parity.diagnosis", "Diagnosis: train.ipynb");
    await fake.state.serializers.get("parity.diagnosis")!.deserializeWebviewPanel(panel, {
      restore: { workspaceDir, runId },
      ui: {},
    });
    panel.receive({ type: "ready", payload: {} });
    await settle(() => (lastOf(panel, "state") as { status?: string } | undefined)?.status === "running");

    panel.setVisible(false);
    const posted = panel.posted.length;
    await writeFile(record, JSON.stringify({ ...live, exitCode: 9 }));
    await new Promise((resolve) => setTimeout(resolve, 1300)); // past fs.watch and the 1 s poll
    expect(panel.posted.length).toBe(posted);

    await writeFile(record, JSON.stringify(result));
    panel.setVisible(true);
    panel.receive({ type: "ready", payload: {} });
    await settle(() => (lastOf(panel, "state") as { status?: string } | undefined)?.status === "failed");
    panel.dispose();
  });

  it("explains the run and opens the notebook at the failing cell", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showDiagnosisPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    expect(panel.title).toBe("Diagnosis: train.ipynb");
    panel.receive({ type: "ready", payload: {} });
    await settle(() => (lastOf(panel, "state") as { status?: string } | undefined)?.status === "failed");
    expect(lastOf(panel, "state")).toMatchObject({
      headline: "The run failed with exit code 1.",
      items: [{ code: "PythonException", location: "train.ipynb, cell 2, line 3", openable: true }],
    });

    panel.receive({ type: "openLocation", payload: { index: 0 } });
    await settle(() => fake.state.shown.length === 2);
    const [notebook, cell] = fake.state.shown;
    // No tab shows the notebook: it opens in the first group, not beside the panel.
    expect(notebook).toMatchObject({
      kind: "notebook",
      options: { selections: [{ start: 1, end: 2 }], viewColumn: fake.ViewColumn.One },
    });
    expect(cell).toMatchObject({
      kind: "text",
      target: { uri: "/w/train.ipynb#cell1" },
      options: { selection: { start: { line: 2, character: 0 } } },
    });
  });

  it("opens the failing cell in the group where the notebook already has a tab", async () => {
    panels.registerPanels(context, options(), fake.collectSerializer);
    panels.showDiagnosisPanel(context, { workspaceDir, runId });
    const panel = fake.state.panels[0]!;
    fake.state.tabGroups = [
      { viewColumn: 1, tabs: [{ input: new fake.TabInputText(fake.Uri.file("/w/other.py")) }] },
      { viewColumn: 2, tabs: [{ input: new fake.TabInputNotebook(fake.Uri.file("/w/train.ipynb")) }] },
    ];
    panel.receive({ type: "ready", payload: {} });
    await settle(() => (lastOf(panel, "state") as { status?: string } | undefined)?.status === "failed");
    panel.receive({ type: "openLocation", payload: { index: 0 } });
    await settle(() => fake.state.shown.length === 2);
    expect(fake.state.shown[0]).toMatchObject({ kind: "notebook", options: { viewColumn: 2 } });
  });
});
