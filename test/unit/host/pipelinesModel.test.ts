import path from "node:path";
import { describe, expect, it } from "vitest";
import type { StoredRun } from "../../../src/app/store";
import type { RunResult } from "../../../src/core/job/types";
import type { PipelineStepState } from "../../../src/core/pipeline/types";
import { clockTime } from "../../../src/core/presentation/runStatus";
import {
  pipelineNodes,
  presentPipeline,
  presentPipelineRun,
  presentPipelineStep,
  RUNS_PER_PIPELINE,
  stepNodes,
  type FoundPipeline,
} from "../../../src/views/pipelines/pipelinesModel";

const workspace = "/w";
const numbers = "/w/kale/numbers.ipynb";

function pipelineRun(
  runId: string,
  startedAt: string,
  status: RunResult["status"],
  steps: PipelineStepState[],
  notebook = numbers,
): StoredRun {
  return {
    dir: path.join(workspace, "kale", ".parity", "runs", runId),
    result: {
      runId,
      kind: "pipeline",
      target: "local",
      status,
      exitCode: status === "succeeded" ? 0 : null,
      oomKilled: false,
      image: "parity/numbers:abc123",
      memoryLimitBytes: 256 * 1024 ** 2,
      notebook,
      startedAt,
      diagnosis: [],
      steps,
      ...(status === "succeeded" ? { durationMs: 12_300 } : {}),
    },
  };
}

function jobRun(run: StoredRun): StoredRun {
  return { ...run, result: { ...run.result, kind: "job" } };
}

const options = {
  relativeFolder: (folder: string) => path.relative(workspace, folder),
};

const done: PipelineStepState[] = [
  {
    name: "load",
    status: "succeeded",
    runId: "numbers-load-1",
    startedAt: "2026-12-05T08:00:00.000Z",
    finishedAt: "2026-12-05T08:00:04.000Z",
  },
  {
    name: "squares",
    status: "cached",
    runId: "numbers-squares-0",
    reason: "reused the outputs of numbers-squares-0",
  },
  { name: "total", status: "failed", runId: "numbers-total-1", reason: "exit 1", exitCode: 1 },
  { name: "report", status: "not-run", reason: "total did not succeed" },
];

describe("the Pipelines view's rows", () => {
  it("list every pipeline found, by path, each with its newest runs and nothing else's", () => {
    const found: FoundPipeline[] = [
      { file: numbers, format: "kale" },
      { file: "/w/etl/pipeline.yaml", format: "pipeline-yaml" },
      { file: "/w/kfp/training.yaml", format: "kfp" },
    ];
    const runs = [
      pipelineRun("numbers-old", "2026-12-05T08:00:00.000Z", "failed", done),
      pipelineRun("numbers-live", "2026-12-05T09:00:00.000Z", "running", []),
      // A job run of the same notebook is not a pipeline run.
      jobRun(pipelineRun("numbers-job", "2026-12-05T10:00:00.000Z", "succeeded", [])),
    ];
    const nodes = pipelineNodes(found, runs, options);
    expect(
      nodes.map((node) => [node.notebookFile, node.format, node.runs.map((run) => run.ref.runId)]),
    ).toEqual([
      ["/w/etl/pipeline.yaml", "pipeline-yaml", []],
      [numbers, "kale", ["numbers-live", "numbers-old"]],
      ["/w/kfp/training.yaml", "kfp", []],
    ]);
    expect(presentPipeline(nodes[2]!).tooltip).toContain("A pipeline: pipeline compiled by kfp.");
    const [live, old] = nodes[1]!.runs;
    expect(live!.cancellable).toBe(true);
    expect(old!.cancellable).toBe(false);
    expect([live!.latest, old!.latest]).toEqual([true, false]);
    expect(live!.ref).toEqual({ workspaceDir: "/w/kale", runId: "numbers-live" });
    expect(presentPipeline(nodes[1]!)).toMatchObject({
      label: "numbers.ipynb",
      description: "last run running",
      contextValue: "parity:pipeline+kale",
    });
    expect(presentPipeline(nodes[0]!).description).toBe("no runs yet");
  });

  it("keep a pipeline whose file is no longer found while its runs are recorded, and list a few runs only", () => {
    const runs = Array.from({ length: RUNS_PER_PIPELINE + 3 }, (_, index) =>
      pipelineRun(`gone-${index}`, `2026-12-05T08:0${index}:00.000Z`, "succeeded", [], "/w/gone.ipynb"),
    );
    const [node] = pipelineNodes([], runs, options);
    expect(node!.notebookFile).toBe("/w/gone.ipynb");
    expect(node!.runs).toHaveLength(RUNS_PER_PIPELINE);
    expect(node!.runs[0]!.ref.runId).toBe(`gone-${RUNS_PER_PIPELINE + 2}`);
  });

  it("name the folder of pipelines that share a name", () => {
    const nodes = pipelineNodes(
      [
        { file: "/w/a/pipeline.yaml", format: "pipeline-yaml" },
        { file: "/w/b/pipeline.yaml", format: "pipeline-yaml" },
        { file: numbers, format: "kale" },
      ],
      [],
      options,
    );
    expect(nodes.map((node) => node.folder)).toEqual(["a", "b", undefined]);
    expect(presentPipeline(nodes[0]!).description).toBe("a · no runs yet");
  });

  it("show a run by its start, its status, its duration and how its steps ended; Cancel only on this window's live run", () => {
    const [node] = pipelineNodes(
      [{ file: numbers, format: "kale" }],
      [
        pipelineRun("numbers-live", "2026-12-05T09:00:00.000Z", "running", [
          { name: "load", status: "succeeded", runId: "numbers-load-2" },
          { name: "squares", status: "running", runId: "numbers-squares-2" },
          { name: "total", status: "running", runId: "numbers-total-2" },
          { name: "report", status: "pending" },
        ]),
        pipelineRun("numbers-done", "2026-12-05T08:00:00.000Z", "succeeded", [
          { name: "load", status: "succeeded", runId: "numbers-load-1" },
          { name: "squares", status: "cached", runId: "numbers-squares-0" },
        ]),
      ],
      options,
    );
    const [live, finished] = node!.runs.map(presentPipelineRun);
    expect(live).toMatchObject({
      label: clockTime("2026-12-05T09:00:00.000Z"),
      description: "Running · 1 of 4 steps done",
      contextValue: "parity:pipelineRun+running+cancellable",
      icon: { id: "sync~spin" },
    });
    expect(finished).toMatchObject({
      description: "Succeeded · 12.3 s · 1 succeeded, 1 cached",
      contextValue: "parity:pipelineRun+succeeded",
    });
    expect(finished!.tooltip).toContain("Pipeline run numbers-done: succeeded");
  });

  it("give each run its steps with their status and reason; a step with a run opens it as a run's row does", () => {
    const [node] = pipelineNodes(
      [],
      [pipelineRun("numbers-old", "2026-12-05T08:00:00.000Z", "failed", done)],
      options,
    );
    const steps = stepNodes(node!.runs[0]!);
    expect(steps.map((step) => presentPipelineStep(step).description)).toEqual([
      "Succeeded · 4.0 s",
      "Cached",
      "Failed · exit 1",
      "Not run · total did not succeed",
    ]);
    expect(steps.map((step) => presentPipelineStep(step).contextValue)).toEqual([
      "parity:pipelineStep+succeeded+run",
      "parity:pipelineStep+cached+run",
      "parity:pipelineStep+failed+run",
      "parity:pipelineStep+not-run",
    ]);
    // The fields Open Logs and Open Diagnosis read from a Runs view row.
    expect(steps[2]).toMatchObject({
      notebookFile: numbers,
      dir: "/w/kale/.parity/runs/numbers-total-1",
      summary: { runId: "numbers-total-1", status: "failed", exitCode: 1, step: "total" },
    });
    expect(steps[3]!.dir).toBeUndefined();
    expect(presentPipelineStep(steps[1]!).tooltip).toContain("reused the outputs of numbers-squares-0");
  });
});
