import { describe, expect, it } from "vitest";
import type { RunResult, TimelineEntry } from "../../../src/core/job/types";
import { diagnosisViewState } from "../../../src/panels/diagnosis/diagnosisView";
import { MAX_TIMELINE_ROWS, timelineRows } from "../../../src/protocol/diagnosis";

const scheduled = {
  time: "2026-11-29T08:15:02.000Z",
  object: "Pod/train-x-abc12",
  type: "Normal",
  reason: "Scheduled",
  message: "Successfully assigned team-a/train-x-abc12 to cpu-1",
};
const failed = {
  time: "2026-11-29T08:15:01.000Z",
  object: "Pod/train-x-abc12",
  type: "Warning",
  reason: "FailedScheduling",
  message: "0/4 nodes are available: 1 node(s) had untolerated taint(s).",
  count: 3,
};

describe("a cluster run's timeline on its way to the diagnosis page", () => {
  it("keeps well-formed entries, warnings and counts included", () => {
    expect(timelineRows([failed, scheduled])).toEqual([failed, scheduled]);
  });

  it("drops entries of the wrong shape instead of passing them on", () => {
    const rows = timelineRows([
      scheduled,
      null,
      "Scheduled",
      { ...scheduled, type: "Error" },
      { ...scheduled, time: "yesterday" },
      { ...scheduled, reason: "" },
      { ...scheduled, message: 42 },
      { ...scheduled, object: "x".repeat(5000) },
      { ...scheduled, count: -1 },
      { ...scheduled, count: 1 },
    ]);
    // The last two keep the entry and lose the count: a negative count is wrong, one is no news.
    expect(rows).toEqual([scheduled, scheduled, scheduled]);
    expect(timelineRows({ length: 1, 0: scheduled })).toBeUndefined();
    expect(timelineRows(undefined)).toBeUndefined();
  });

  it("keeps markup as text: validation does not rewrite, the page renders it as text", () => {
    const markup = { ...scheduled, message: '<img src=x onerror="alert(1)">' };
    expect(timelineRows([markup])![0]!.message).toBe('<img src=x onerror="alert(1)">');
  });

  it("keeps the newest entries when there are too many", () => {
    const many = Array.from({ length: MAX_TIMELINE_ROWS + 5 }, (_, i) => ({ ...scheduled, reason: `R${i}` }));
    const rows = timelineRows(many)!;
    expect(rows).toHaveLength(MAX_TIMELINE_ROWS);
    expect(rows.at(-1)!.reason).toBe(`R${MAX_TIMELINE_ROWS + 4}`);
  });
});

describe("the diagnosis view state of a cluster run", () => {
  const result: RunResult = {
    runId: "train-20261129-081500-abcd",
    target: "cluster",
    status: "succeeded",
    exitCode: 0,
    oomKilled: false,
    image: "127.0.0.1:5000/parity/digits-train:0123",
    notebook: "/w/train/train.ipynb",
    memoryLimitBytes: 1024 ** 3,
    diagnosis: [],
    cluster: {
      context: "kwok",
      server: "https://127.0.0.1:6443",
      namespace: "team-a",
      kind: "Job",
      apiVersion: "batch/v1",
      name: "train-x",
    },
    timeline: [scheduled as TimelineEntry],
  };

  it("carries the timeline and says where the run lives", () => {
    const state = diagnosisViewState(result);
    expect(state.timeline).toEqual([scheduled]);
    expect(state.facts).toContainEqual({
      label: "Target",
      value: "cluster: Job train-x in team-a (context kwok)",
    });
  });

  it("has an empty timeline before any event, and none for a local run", () => {
    expect(diagnosisViewState({ ...result, timeline: undefined }).timeline).toEqual([]);
    expect(diagnosisViewState({ ...result, target: "local", cluster: undefined }).timeline).toBeUndefined();
  });
});
