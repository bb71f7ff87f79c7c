import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLinesIn, recordIn, said, stepOf, type PipelineJson } from "./helpers/pipelineRuns";
import { copyWorkspace, lastJson, runCli } from "./helpers/workspace";

// parity pipeline run on Parity's pipeline.yaml against the real Docker engine
// (test/fixtures/workspaces/yaml-pipeline): whole scripts and notebooks as steps, files between them.
const TIMEOUT = 600_000;

let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
beforeAll(async () => {
  workspace = await copyWorkspace("test/fixtures/workspaces/yaml-pipeline");
});
afterAll(async () => {
  await workspace?.remove();
});

const pipeline = (...args: string[]) => runCli(["pipeline", ...args, "--json"], { cwd: workspace.dir });
const step = stepOf;
const logsOf = (runId: string) => logLinesIn(workspace.dir, runId);
const record = (runId: string) => recordIn(workspace.dir, runId);

describe("parity pipeline run on a pipeline.yaml", () => {
  it(
    "runs each step's script or notebook with the pipeline's parameters, passes files between them, and reuses them the second time",
    async () => {
      const cold = await pipeline("run", "pipeline.yaml");
      expect(cold.code, said(cold)).toBe(0);
      const first = lastJson<PipelineJson>(cold);
      expect(first.steps.map((each) => [each.name, each.status])).toEqual([
        ["prepare", "succeeded"],
        ["square", "succeeded"],
        ["report", "succeeded"],
      ]);
      expect(await logsOf(step(first, "prepare").runId!)).toEqual(["wrote 4 numbers"]);
      // pipeline.yaml's count (4) overrides the notebook's parameters cell (count = 10).
      expect(await logsOf(step(first, "square").runId!)).toEqual([
        "Parameter count = 4 (overridden)",
        "count is 4, squaring 4 numbers",
      ]);
      expect(await logsOf(step(first, "report").runId!)).toEqual(["total: 14"]);
      // The step's own limit (resources.memory: 128Mi), the profile's elsewhere.
      expect((await record(step(first, "square").runId!)).memoryLimitBytes).toBe(128 * 1024 * 1024);
      expect((await record(step(first, "report").runId!)).memoryLimitBytes).toBe(256 * 1024 * 1024);

      const warm = await pipeline("run", "pipeline.yaml");
      expect(warm.code, said(warm)).toBe(0);
      expect(lastJson<PipelineJson>(warm).steps.map((each) => each.status)).toEqual([
        "cached",
        "cached",
        "cached",
      ]);

      const fewer = await pipeline("run", "pipeline.yaml", "-p", "count=3", "-p", "label=sum");
      expect(fewer.code, said(fewer)).toBe(0);
      const third = lastJson<PipelineJson>(fewer);
      expect(third.steps.map((each) => each.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
      expect(await logsOf(step(third, "report").runId!)).toEqual(["sum: 5"]);
    },
    TIMEOUT,
  );

  it(
    "fails a step that never writes an output it declares, and does not run the step after it",
    async () => {
      const result = await pipeline("run", "forgetful.yaml");
      expect(result.code, said(result)).toBe(1);
      const json = lastJson<PipelineJson>(result);
      expect(step(json, "forget").status).toBe("failed");
      expect(step(json, "after")).toMatchObject({ status: "not-run", reason: "forget did not succeed" });
      expect(await logsOf(step(json, "forget").runId!)).toContain(
        "Parity: this step was to hand on result, but wrote no file at parity_outputs['result'].",
      );
    },
    TIMEOUT,
  );

  it("refuses a -p that names no parameter of the pipeline", async () => {
    const result = await pipeline("run", "pipeline.yaml", "-p", "size=3");
    expect(result.code).toBe(1);
    expect(said(result)).toContain("-p size=3 names no parameter of the pipeline files.");
  });
});
