import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import { isPanelType, parityPanelColumn, type GroupOfTabs } from "../../../src/panels/panelGroup";
import type { PanelOptions } from "../../../src/panels/types";
import * as fake from "./fakeVscode";

vi.mock("vscode", async () => await import("./fakeVscode"));

const panels = await import("../../../src/panels/index");
const context = fake.fakeContext() as unknown as vscode.ExtensionContext;
const TYPES = new Set(["parity.logs", "parity.diagnosis"]);

function group(viewColumn: number, webviewTypes: string[], more: Partial<GroupOfTabs<number>> = {}) {
  return { viewColumn, isActive: false, webviewTypes, ...more };
}

describe("parityPanelColumn", () => {
  it("is undefined while no group holds a Parity panel: the first opens beside", () => {
    expect(parityPanelColumn([group(1, []), group(2, ["mainThreadWebview-markdown.preview"])], TYPES)).toBe(
      undefined,
    );
  });

  it("finds the group of a Parity panel by the tab API's prefixed view type, and by the bare one", () => {
    expect(parityPanelColumn([group(1, []), group(2, ["mainThreadWebview-parity.logs"])], TYPES)).toBe(2);
    expect(parityPanelColumn([group(1, []), group(3, ["parity.diagnosis"])], TYPES)).toBe(3);
    expect(isPanelType("mainThreadWebview-parity.logsx", TYPES)).toBe(false);
    expect(isPanelType("otherPrefix-parity.logs", TYPES)).toBe(false);
  });

  it("follows panels the user split apart: the active group, else the one showing a panel in front", () => {
    const split = [
      group(2, ["parity.logs"]),
      group(3, ["parity.diagnosis"], { activeWebviewType: "mainThreadWebview-parity.diagnosis" }),
    ];
    expect(parityPanelColumn(split, TYPES)).toBe(3);
    expect(parityPanelColumn([split[0]!, { ...split[1]!, activeWebviewType: undefined }], TYPES)).toBe(2);
    expect(parityPanelColumn([{ ...split[0]!, isActive: true }, split[1]!], TYPES)).toBe(2);
  });
});

describe("where panels open", () => {
  const options: PanelOptions = {
    computeReport: () => Promise.reject(new Error("no report in these tests")),
    readPipeline: () => Promise.reject(new Error("no pipeline in these tests")),
    sendRequests: () => Promise.reject(new Error("no endpoint in these tests")),
    changeCanary: () => Promise.reject(new Error("no canary in these tests")),
    log: () => undefined,
  };
  const run = { workspaceDir: "/w", runId: "train-1" };

  beforeEach(() => {
    fake.reset();
    fake.window.createWebviewPanel.mockClear();
    fake.workspace.workspaceFolders = [{ uri: fake.Uri.file("/w") }];
    panels.registerPanels(context, options, fake.collectSerializer);
  });

  const columnOfLastPanel = () =>
    (fake.window.createWebviewPanel.mock.calls.at(-1) as unknown[] | undefined)?.[2] as
      { viewColumn: number; preserveFocus: boolean } | undefined;

  it("beside the notebook when no Parity panel is open", () => {
    fake.state.tabGroups = [
      { viewColumn: 1, tabs: [{ input: new fake.TabInputNotebook(fake.Uri.file("/w/a")) }] },
    ];
    panels.showLogsPanel(context, run);
    expect(columnOfLastPanel()).toEqual({ viewColumn: fake.ViewColumn.Beside, preserveFocus: true });
  });

  it("as a tab of the group where a Parity panel is, wherever that is now", () => {
    fake.state.tabGroups = [
      { viewColumn: 1, isActive: true, tabs: [{ input: new fake.TabInputNotebook(fake.Uri.file("/w/a")) }] },
      { viewColumn: 3, tabs: [{ input: new fake.TabInputWebview("mainThreadWebview-parity.logs") }] },
    ];
    panels.showDiagnosisPanel(context, run);
    expect(columnOfLastPanel()).toEqual({ viewColumn: 3, preserveFocus: false });
  });
});
