import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeError, ParityError } from "../../../src/core/errors";
import { topologicalOrder } from "../../../src/core/pipeline/graph";
import { stepsToStart } from "../../../src/core/pipeline/schedule";
import { readKalePipeline } from "../../../src/core/pipeline/kale";
import { kaleStepScript } from "../../../src/core/pipeline/stepScripts";
import { passVariables, type CodeNames } from "../../../src/core/pipeline/variables";

const fixtures = path.resolve(__dirname, "../../fixtures/workspaces/kale-pipeline");
const numbersFile = path.join(fixtures, "numbers.ipynb");
const numbers = readFileSync(numbersFile, "utf8");

/** A notebook of code cells with these tags and sources. */
function notebook(cells: [string[], string][]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 4,
    metadata: {},
    cells: cells.map(([tags, source]) => ({ cell_type: "code", metadata: { tags }, source, outputs: [] })),
  });
}

function failure(run: () => unknown): ParityError {
  try {
    run();
  } catch (error) {
    if (error instanceof ParityError) return error;
    throw error;
  }
  throw new Error("expected a ParityError");
}

describe("a notebook tagged as Kale tags it", () => {
  it("is read as steps with their order, the shared cells apart and skip cells left out", () => {
    const { pipeline, cells } = readKalePipeline(numbers, numbersFile);
    expect(pipeline.format).toBe("kale");
    expect(pipeline.name).toBe("numbers");
    expect(pipeline.steps.map((step) => [step.name, step.after])).toEqual([
      ["load", []],
      ["squares", ["load"]],
      ["total", ["load"]],
      ["report", ["squares", "total"]],
    ]);
    // Cell 6 is tagged skip; cell 8 has no tag and continues squares.
    expect(pipeline.steps.map((step) => (step.code.kind === "cells" ? step.code.cells : []))).toEqual([
      [5],
      [7, 8],
      [9],
      [10],
    ]);
    expect(cells.shared.map((cell) => cell.index)).toEqual([2, 3, 4]);
    expect(cells.parametersCell?.index).toBe(4);
    expect(pipeline.steps[1]?.location).toEqual({ file: numbersFile, cell: 7, field: "step:squares" });
    expect(topologicalOrder(pipeline.steps)?.map((step) => step.name)).toEqual([
      "load",
      "squares",
      "total",
      "report",
    ]);
  });

  it("takes a step's limits from its limit: tags and refuses one it cannot apply, naming the cell and tag", () => {
    const { pipeline } = readKalePipeline(
      notebook([
        [["step:a", "limit:memory:128Mi", "limit:cpu:500m", "limit:nvidia.com/gpu:1"], "x = 1"],
        [["block:b", "prev:a"], "y = x"],
      ]),
      "/w/p.ipynb",
    );
    expect(pipeline.steps[0]?.limits).toEqual({
      memoryBytes: 128 * 1024 * 1024,
      nanoCpus: 500_000_000,
      gpu: 1,
    });
    expect(pipeline.steps[1]?.after).toEqual(["a"]);

    const error = failure(() =>
      readKalePipeline(notebook([[["step:a", "limit:memory:12 8Mi"], "x = 1"]]), "/w/p.ipynb"),
    );
    expect(describeError(error)).toContain(
      '/w/p.ipynb cell 1, limit:memory:12 8Mi: "12 8Mi" is not a valid memory quantity.',
    );
    const unknown = failure(() =>
      readKalePipeline(notebook([[["step:a", "limit:disk:1Gi"], "x = 1"]]), "/w/p.ipynb"),
    );
    expect(unknown.message).toBe("Parity cannot apply a limit on disk.");
  });

  it("says which cell has code before any step, and which tag names a step that does not exist", () => {
    const before = failure(() =>
      readKalePipeline(
        notebook([
          [[], "x = 1"],
          [["step:a"], "y = 2"],
        ]),
        "/w/p.ipynb",
      ),
    );
    expect(describeError(before)).toContain("/w/p.ipynb cell 1: This code cell comes before any step");
    const unknown = failure(() =>
      readKalePipeline(
        notebook([
          [["step:a"], "x = 1"],
          [["step:b", "prev:trian"], "y = x"],
        ]),
        "/w/p.ipynb",
      ),
    );
    expect(describeError(unknown)).toContain(
      "/w/p.ipynb cell 2, step:b: The step b runs after trian, which is not a step of the pipeline.",
    );
  });

  it("refuses a cycle, saying the steps along it", () => {
    const error = failure(() =>
      readKalePipeline(
        notebook([
          [["step:a", "prev:c"], "x = 1"],
          [["step:b", "prev:a"], "y = 2"],
          [["step:c", "prev:b"], "z = 3"],
        ]),
        "/w/p.ipynb",
      ),
    );
    expect(error.message).toBe("The steps form a cycle: a → b → c → a.");
  });

  it("puts the metrics cell last, after every step nothing else needs", () => {
    const { pipeline } = readKalePipeline(
      notebook([
        [["step:a"], "x = 1"],
        [["step:b", "prev:a"], "y = 2"],
        [["step:c"], "z = 3"],
        [["pipeline-metrics"], "y\nz"],
      ]),
      "/w/p.ipynb",
    );
    expect(pipeline.steps.at(-1)).toMatchObject({ name: "pipeline-metrics", after: ["b", "c"] });
  });
});

describe("variables passed between steps", () => {
  const names = (entries: Record<string, CodeNames>) => new Map(Object.entries(entries));

  it("come from the nearest step before that binds them, never from the shared cells", () => {
    const { pipeline } = readKalePipeline(numbers, numbersFile);
    const passed = passVariables(
      pipeline,
      names({
        load: { assigned: ["numbers"], free: ["size"] },
        squares: { assigned: ["squares"], free: ["numbers", "square", "time", "pause"] },
        total: { assigned: ["total"], free: ["numbers", "time", "pause"] },
        report: { assigned: ["report"], free: ["json", "squares", "total"] },
      }),
      { assigned: ["json", "time", "square", "size", "pause"], free: [] },
    );
    expect(
      passed.steps.map((step) => [
        step.name,
        step.inputs.map((input) => `${input.from}.${input.output}`),
        step.outputs,
      ]),
    ).toEqual([
      ["load", [], ["numbers"]],
      ["squares", ["load.numbers"], ["squares"]],
      ["total", ["load.numbers"], ["total"]],
      ["report", ["squares.squares", "total.total"], []],
    ]);
  });

  it("refuse a name only a step that does not run before binds, naming the prev: tag to add", () => {
    const { pipeline } = readKalePipeline(numbers, numbersFile);
    const error = failure(() =>
      passVariables(
        pipeline,
        names({ load: { assigned: ["numbers"], free: ["total"] }, total: { assigned: ["total"], free: [] } }),
        { assigned: [], free: [] },
      ),
    );
    expect(error.message).toBe(
      "The step load uses total, which only total defines, and that step does not run before it.",
    );
    expect(error.fix).toContain("prev:total");
  });
});

describe("a step's script", () => {
  it("runs the shared cells, loads its inputs, runs its own cells and saves its outputs, mapped to the notebook's cells", () => {
    const { cells } = readKalePipeline(numbers, numbersFile);
    const job = kaleStepScript(cells, "squares", numbersFile);
    const script = job.script;
    const order = [
      "# --- cell 2 ---",
      "# --- cell 3 ---",
      "# --- cell 4 ---",
      "_parity_load_inputs()",
      "# --- cell 7 ---",
      "# --- cell 8 ---",
      "_parity_save_outputs()",
    ];
    const positions = order.map((marker) => script.indexOf(marker));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(script).not.toContain("a skip cell ran");
    expect(script).not.toContain("total = sum(numbers)");
    // -p overrides reach the parameters cell.
    expect(script).toContain('globals().update(_parity_parameters(["size", "pause"]))');
    expect(job.parameters.map((parameter) => parameter.name)).toEqual(["size", "pause"]);
    const line = script.split("\n").indexOf("squares = [square(n) for n in numbers]");
    expect(job.lineMap[line]).toMatchObject({ cell: 7, line: 2 });
  });
});

describe("which ready steps start", () => {
  const MiB = 1024 * 1024;
  const CPU = 1_000_000_000;
  const step = (name: string, memoryMiB: number, cpus = 0.5) => ({
    name,
    memoryBytes: memoryMiB * MiB,
    nanoCpus: cpus * CPU,
  });

  it("starts every step whose limits fit beside the running ones, and says which wait", () => {
    const budget = { memoryBytes: 1024 * MiB, nanoCpus: 2 * CPU };
    expect(stepsToStart([step("a", 256), step("b", 256)], [], budget)).toEqual({
      start: ["a", "b"],
      waiting: [],
    });
    expect(stepsToStart([step("a", 512), step("b", 512)], [step("r", 256)], budget)).toEqual({
      start: ["a"],
      waiting: ["b"],
    });
    expect(stepsToStart([step("a", 128, 1), step("b", 128, 1)], [step("r", 128, 0.5)], budget)).toEqual({
      start: ["a"],
      waiting: ["b"],
    });
  });

  it("always starts one step when none runs, even one larger than the machine", () => {
    expect(stepsToStart([step("huge", 4096)], [], { memoryBytes: 1024 * MiB, nanoCpus: CPU })).toEqual({
      start: ["huge"],
      waiting: [],
    });
  });
});
