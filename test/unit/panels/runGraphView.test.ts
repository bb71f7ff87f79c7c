import { describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import type { Pipeline, PipelineStep } from "../../../src/core/pipeline/types";
import { runGraphViewState } from "../../../src/panels/pipeline/runGraphView";
import { elapsedWords, runGraphFromWebview } from "../../../src/protocol/pipeline";

function step(name: string, after: string[] = []): PipelineStep {
  return {
    name,
    after,
    inputs: [],
    outputs: [],
    limits: {},
    retries: 0,
    cache: true,
    code: { kind: "cells", notebookFile: "/w/numbers.ipynb", cells: [] },
    location: { file: "/w/numbers.ipynb" },
  };
}

/** numbers.ipynb of test/fixtures/workspaces/kale-pipeline: load, then squares and total, then report. */
const definition: Pick<Pipeline, "steps"> = {
  steps: [
    step("load"),
    step("squares", ["load"]),
    step("total", ["load"]),
    step("report", ["squares", "total"]),
  ],
};

function record(status: RunResult["status"], steps: RunResult["steps"]): RunResult {
  return {
    runId: "numbers-20261205-080000-abcd",
    kind: "pipeline",
    target: "local",
    status,
    exitCode: null,
    oomKilled: false,
    image: "parity/numbers:abc123",
    memoryLimitBytes: 256 * 1024 ** 2,
    notebook: "/w/numbers.ipynb",
    startedAt: "2026-12-05T08:00:00.000Z",
    diagnosis: [],
    steps,
  };
}

describe("the run graph's view state", () => {
  it("shows the pipeline's steps as pending, with its edges, before the record is written", () => {
    const state = runGraphViewState({ runId: "numbers-1", definition });
    expect(state.nodes.map((node) => [node.name, node.statusLabel, node.detail])).toEqual([
      ["load", "Pending", undefined],
      ["squares", "Pending", "after load"],
      ["total", "Pending", "after load"],
      ["report", "Pending", "after squares, total"],
    ]);
    expect(state.edges).toEqual([
      { from: "load", to: "squares" },
      { from: "load", to: "total" },
      { from: "squares", to: "report" },
      { from: "total", to: "report" },
    ]);
    expect(state).toMatchObject({ live: true, note: "Waiting for the run's record..." });
  });

  it("gives each node its live state and what a click opens: the logs, or the diagnosis of a failed step", () => {
    const state = runGraphViewState({
      runId: "numbers-1",
      definition,
      record: record("running", [
        {
          name: "load",
          status: "succeeded",
          runId: "load-1",
          startedAt: "2026-12-05T08:00:01.000Z",
          finishedAt: "2026-12-05T08:00:03.500Z",
        },
        { name: "squares", status: "running", runId: "squares-1", startedAt: "2026-12-05T08:00:04.000Z" },
        { name: "total", status: "failed", runId: "total-1", reason: "OOMKilled at the 256 MiB limit" },
        { name: "report", status: "not-run", reason: "total did not succeed" },
      ]),
    });
    expect(state.nodes).toEqual([
      { name: "load", status: "succeeded", statusLabel: "Succeeded", detail: "2.5 s", opens: "logs" },
      {
        name: "squares",
        status: "running",
        statusLabel: "Running",
        startedAt: "2026-12-05T08:00:04.000Z",
        opens: "logs",
      },
      {
        name: "total",
        status: "failed",
        statusLabel: "Failed",
        detail: "OOMKilled at the 256 MiB limit",
        opens: "diagnosis",
      },
      { name: "report", status: "not-run", statusLabel: "Not run", detail: "total did not succeed" },
    ]);
    expect(state).toMatchObject({
      pipelineName: "numbers.ipynb",
      statusLabel: "Running",
      summary: "1 running, 1 succeeded, 1 failed, 1 not run",
      live: true,
    });
    expect(state.note).toBeUndefined();
  });

  it("takes the edges from the record where it carries them, and says so when they are unknown", () => {
    const carried = runGraphViewState({
      runId: "numbers-1",
      record: record("succeeded", [
        { name: "a", status: "cached", runId: "a-0", reason: "reused the outputs of a-0", after: [] },
        { name: "b", status: "succeeded", runId: "b-1", after: ["a", "gone"] },
      ]),
    });
    expect(carried.edges).toEqual([{ from: "a", to: "b" }]);
    expect(carried.nodes[0]!.detail).toBe("reused the outputs of a-0");
    expect(carried.summary).toBe("Succeeded: 1 succeeded, 1 cached");
    expect(carried.live).toBe(false);

    const unknown = runGraphViewState({
      runId: "numbers-1",
      record: record("succeeded", [
        { name: "a", status: "succeeded", runId: "a-1" },
        { name: "b", status: "succeeded", runId: "b-1" },
      ]),
      definitionProblem: "numbers.ipynb could not be read as a pipeline now.",
    });
    expect(unknown.edges).toEqual([]);
    expect(unknown.note).toBe(
      "The steps are shown without their edges: numbers.ipynb could not be read as a pipeline now.",
    );
  });
});

describe("the run graph's protocol", () => {
  it("accepts a node's click for its logs or diagnosis only", () => {
    expect(runGraphFromWebview.openStep({ name: "load", view: "logs" })).toEqual({
      name: "load",
      view: "logs",
    });
    expect(runGraphFromWebview.openStep({ name: "load", view: "shell" })).toBeUndefined();
    expect(runGraphFromWebview.openStep({ name: 3, view: "logs" })).toBeUndefined();
  });

  it("counts a running step's time in seconds, then minutes", () => {
    expect(elapsedWords(4_900)).toBe("4 s");
    expect(elapsedWords(65_000)).toBe("1 min 05 s");
    expect(elapsedWords(3_720_000)).toBe("1 h 02 min");
  });
});
