import { describe, expect, it } from "vitest";
import {
  chooseRestoreRef,
  OPEN_PANELS_KEY,
  PanelMemory,
  type PanelStore,
  type RestoreQuery,
} from "../../../src/panels/panelMemory";
import { asRunRef, type RunRef } from "../../../src/app/store";

function store(initial?: unknown): PanelStore & { value: unknown; writes: number } {
  const memento = {
    value: initial,
    writes: 0,
    get: (key: string) => (key === OPEN_PANELS_KEY ? structuredClone(memento.value) : undefined),
    update: async (key: string, value: unknown) => {
      expect(key).toBe(OPEN_PANELS_KEY);
      memento.value = structuredClone(value);
      memento.writes++;
    },
  };
  return memento;
}

const a: RunRef = { workspaceDir: "/w", runId: "memory-20261129-080000-aaaa" };
const b: RunRef = { workspaceDir: "/w", runId: "memory-20261129-080500-bbbb" };
const titles: Record<string, string> = { [a.runId]: "Logs: memory.ipynb", [b.runId]: "Logs: memory.ipynb" };

function query(overrides: Partial<RestoreQuery<RunRef>>): RestoreQuery<RunRef> {
  return {
    state: undefined,
    title: "Logs: memory.ipynb",
    remembered: [],
    parse: asRunRef,
    titlesOf: (run) => [titles[run.runId] ?? "", `Logs: ${run.runId}`],
    isOpen: () => false,
    ...overrides,
  };
}

describe("chooseRestoreRef", () => {
  it("takes the run the webview saved, even when the host remembers another", () => {
    expect(chooseRestoreRef(query({ state: { restore: b, ui: {} }, remembered: [a] }))).toEqual(b);
  });

  it("takes the remembered panel when the webview never saved a state (a panel covered before it loaded)", () => {
    expect(chooseRestoreRef(query({ state: undefined, remembered: [a] }))).toEqual(a);
    expect(chooseRestoreRef(query({ state: { ui: {} }, remembered: [a] }))).toEqual(a);
  });

  it("matches the tab's title, also the run-id title of a run recorded after the panel opened", () => {
    expect(
      chooseRestoreRef(query({ title: `Logs: ${b.runId}`, remembered: [{ ...a, runId: "other-1" }, b] })),
    ).toEqual(b);
    expect(chooseRestoreRef(query({ title: "Logs: train.ipynb", remembered: [a] }))).toBeUndefined();
  });

  it("prefers the most recently opened of two panels with the same title, then the other one", () => {
    const remembered = [b, a]; // most recent first, as PanelMemory.remembered gives them
    expect(chooseRestoreRef(query({ remembered }))).toEqual(b);
    expect(chooseRestoreRef(query({ remembered, isOpen: (run) => run.runId === b.runId }))).toEqual(a);
  });

  it("closes a tab whose panel is open already, or that nothing describes", () => {
    expect(chooseRestoreRef(query({ state: { restore: a }, isOpen: () => true }))).toBeUndefined();
    expect(chooseRestoreRef(query({ remembered: [a], isOpen: () => true }))).toBeUndefined();
    expect(chooseRestoreRef(query({ remembered: [] }))).toBeUndefined();
    expect(
      chooseRestoreRef(query({ state: { restore: { runId: "../../etc", workspaceDir: "/" } } })),
    ).toBeUndefined();
    expect(
      chooseRestoreRef(query({ remembered: [{ runId: "../x", workspaceDir: "/w" }, 42, null] })),
    ).toBeUndefined();
  });
});

describe("PanelMemory", () => {
  it("remembers the panels open now, in the order they opened, and forgets a closed one", async () => {
    const memento = store();
    const memory = new PanelMemory(memento);
    memory.opened("parity.logs", a);
    memory.opened("parity.diagnosis", a);
    memory.opened("parity.logs", b);
    memory.closed("parity.logs", { ...a });
    await Promise.resolve();
    expect(memento.value).toEqual([
      { viewType: "parity.diagnosis", ref: a },
      { viewType: "parity.logs", ref: b },
    ]);
  });

  it("gives the last session's panels of a view type, most recent first, even after this session writes", () => {
    const memento = store([
      { viewType: "parity.logs", ref: a },
      { viewType: "parity.diagnosis", ref: a },
      { viewType: "parity.logs", ref: b },
      { viewType: 7, ref: a },
      "junk",
    ]);
    const memory = new PanelMemory(memento);
    memory.opened("parity.report", { notebookFile: "/w/train.ipynb" });
    expect(memory.remembered("parity.logs")).toEqual([b, a]);
    expect(memory.remembered("parity.diagnosis")).toEqual([a]);
    expect(memory.remembered("parity.report")).toEqual([]);
  });

  it("reads anything but a list as no panels", () => {
    expect(new PanelMemory(store({ not: "a list" })).remembered("parity.logs")).toEqual([]);
    expect(new PanelMemory(store()).remembered("parity.logs")).toEqual([]);
  });

  it("keeps the list once frozen: the panels a closing window disposes come back after the reload", () => {
    const memento = store();
    const memory = new PanelMemory(memento);
    memory.opened("parity.logs", a);
    const writes = memento.writes;
    memory.freeze();
    memory.closed("parity.logs", a);
    memory.opened("parity.logs", b);
    expect(memento.writes).toBe(writes);
    expect(memento.value).toEqual([{ viewType: "parity.logs", ref: a }]);
  });

  it("says so when the list cannot be saved", async () => {
    const errors: string[] = [];
    const memory = new PanelMemory(
      { get: () => undefined, update: () => Promise.reject(new Error("storage closed")) },
      (message) => errors.push(message),
    );
    memory.opened("parity.logs", a);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(errors).toEqual(["Could not remember the open panels for the next reload: Error: storage closed"]);
  });
});
