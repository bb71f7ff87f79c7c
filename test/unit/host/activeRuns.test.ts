import { describe, expect, it, vi } from "vitest";
import type { ParityReport } from "../../../src/core/parity";
import { ActiveRuns } from "../../../src/services/activeRuns";
import { reportOf } from "../parity/fixtures";
import { ReportStore } from "../../../src/services/reportStore";

describe("runs started from this window", () => {
  it("are building until they start, then found by run id, and gone when they end", () => {
    const runs = new ActiveRuns();
    const changes = vi.fn();
    const ended = vi.fn();
    runs.onDidChange(changes);
    runs.onDidEnd(ended);
    const run = runs.begin("/w/train.ipynb", () => undefined);
    expect(runs.building()).toEqual([run]);
    runs.started(run, "train-20261129-080000-abcd", "/w");
    expect(runs.building()).toEqual([]);
    expect(runs.find("train-20261129-080000-abcd")).toBe(run);
    expect(ended).not.toHaveBeenCalled();
    runs.end(run);
    expect(runs.all()).toEqual([]);
    expect(changes).toHaveBeenCalledTimes(3);
    // Told once, with the run (its notebook's report reads the final record).
    runs.end(run);
    expect(ended).toHaveBeenCalledOnce();
    expect(ended).toHaveBeenCalledWith(run);
  });

  it("are all cancelled when the window goes, waiting for them to end", async () => {
    const runs = new ActiveRuns();
    const first = runs.begin("/w/a.ipynb", () => setTimeout(() => runs.end(first), 5));
    const second = runs.begin("/w/b.ipynb", () => setTimeout(() => runs.end(second), 10));
    await runs.cancelAll(1000);
    expect(runs.all()).toEqual([]);
  });

  it("leave a submitted cluster job running when the window goes: they detach, they do not cancel", async () => {
    const runs = new ActiveRuns();
    const cancel = vi.fn();
    const local = runs.begin("/w/local.ipynb", () => setTimeout(() => runs.end(local), 5));
    const cluster = runs.begin("/w/cluster.ipynb", cancel, "cluster");
    const detach = vi.fn(() => setTimeout(() => runs.end(cluster), 5));
    runs.started(cluster, "cluster-run", "/w", { runId: "cluster-run", detach });
    await runs.cancelAll(1000);
    expect(detach).toHaveBeenCalledOnce();
    expect(cancel).not.toHaveBeenCalled();
    expect(runs.all()).toEqual([]);
  });

  it("stop waiting for a run that does not end", async () => {
    const runs = new ActiveRuns();
    const cancel = vi.fn();
    runs.begin("/w/stuck.ipynb", cancel);
    await runs.cancelAll(20);
    expect(cancel).toHaveBeenCalledOnce();
    expect(runs.all()).toHaveLength(1);
  });
});

describe("the report store", () => {
  const report: ParityReport = { ...reportOf([]), warnings: 1 };

  it("goes from unchecked to checking to checked, and back to the last report on cancel", () => {
    const store = new ReportStore();
    const changed: string[] = [];
    store.onDidChange((file) => changed.push(file));
    expect(store.get("/w/a.ipynb").kind).toBe("unchecked");
    store.checked({ notebookFile: "/w/a.ipynb", report });
    store.checking("/w/a.ipynb");
    expect(store.get("/w/a.ipynb").kind).toBe("checking");
    // A second check that replaced the first is cancelled: back to the report before both.
    store.checking("/w/a.ipynb");
    store.cancelled("/w/a.ipynb");
    expect(store.get("/w/a.ipynb")).toMatchObject({ kind: "checked", report });
    store.failed("/w/a.ipynb", "Docker is not running.");
    expect(store.get("/w/a.ipynb")).toMatchObject({ kind: "failed", data: { report } });
    store.clear();
    expect(store.get("/w/a.ipynb").kind).toBe("unchecked");
    expect(changed).toEqual(Array(6).fill("/w/a.ipynb"));
  });
});
