import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileKfp, KFP_TEST_IMAGE as IMAGE, kfpWorkspace } from "../kfp/harness/kfp";
import { logLinesIn, recordIn, said, stepOf, type PipelineJson } from "./helpers/pipelineRuns";
import { lastJson, runCli } from "./helpers/workspace";

// parity pipeline run on pipelines compiled by the real kfp SDK (2.17.3 from PyPI), against the real
// Docker engine. The components' image is Parity's base image with a Python that pip may install
// into (a virtual environment first on PATH, as python:3.x images have): Debian's own Python
// refuses pip installs (PEP 668), and so would KFP's runtime install in production.
const TIMEOUT = 900_000;

let dir = "";
beforeAll(async () => {
  dir = await kfpWorkspace("parity-kfp-run-");
  await compileKfp("numbers_pipeline", dir, IMAGE);
  await compileKfp("memory_pipeline", dir, IMAGE);
  await compileKfp("retry_pipeline", dir, IMAGE);
}, TIMEOUT);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const pipeline = (...args: string[]) => runCli(["pipeline", ...args, "--json"], { cwd: dir });
const step = stepOf;
const logsOf = (runId: string) => logLinesIn(dir, runId);
const record = (runId: string) => recordIn(dir, runId);

describe("parity pipeline run on a pipeline compiled by kfp", () => {
  it(
    "runs lightweight and container components with KFP's inputs, outputs and artifacts, and reuses what may be cached",
    async () => {
      const cold = await pipeline("run", "numbers_pipeline.yaml", "-p", "n=5");
      expect(cold.code, said(cold)).toBe(0);
      const first = lastJson<PipelineJson>(cold);
      expect(first.steps.map((each) => [each.name, each.status])).toEqual([
        ["make", "succeeded"],
        ["report", "succeeded"],
        ["total", "succeeded"],
      ]);
      // make returned 5 * 2 and wrote 0..4 as its Dataset; total read both, with six installed as it asked.
      expect(await logsOf(step(first, "make").runId!)).toContain("made 5 numbers");
      expect(await logsOf(step(first, "total").runId!)).toContain("six 1.16.0: sum 10 times 10");
      // The container component: its value, a Concat placeholder, and its OutputPath written.
      expect(await logsOf(step(first, "report").runId!)).toContain("total-sum 100");
      const reportOutputs = path.join(dir, ".parity", "runs", step(first, "report").runId!, "outputs");
      expect(await readFile(path.join(reportOutputs, "note"), "utf8")).toBe("total-sum=100");
      // The task's own limit, not the profile's: set_memory_limit('256M').
      expect((await record(step(first, "make").runId!)).memoryLimitBytes).toBe(256e6);
      expect((await record(step(first, "total").runId!)).memoryLimitBytes).toBe(512 * 1024 * 1024);
      // The Metrics artifact's metadata, as kfp's executor wrote it.
      const totalOutputs = path.join(dir, ".parity", "runs", step(first, "total").runId!, "outputs");
      const executorOutput = JSON.parse(
        await readFile(path.join(totalOutputs, "executor_output.json"), "utf8"),
      );
      expect(executorOutput.artifacts.metrics.artifacts[0].metadata).toEqual({ count: 5 });

      const warm = await pipeline("run", "numbers_pipeline.yaml", "-p", "n=5");
      expect(warm.code, said(warm)).toBe(0);
      const second = lastJson<PipelineJson>(warm);
      // total says set_caching_options(False): it runs again; report's input is the same value: reused.
      expect(second.steps.map((each) => [each.name, each.status])).toEqual([
        ["make", "cached"],
        ["report", "cached"],
        ["total", "succeeded"],
      ]);

      const other = await pipeline("run", "numbers_pipeline.yaml", "-p", "n=6");
      expect(other.code, said(other)).toBe(0);
      const third = lastJson<PipelineJson>(other);
      expect(step(third, "make").status).toBe("succeeded");
      expect(await logsOf(step(third, "report").runId!)).toContain("total-sum 180");
    },
    TIMEOUT,
  );

  it(
    "kills a task over its set_memory_limit, leaves the task after it not run, and finishes the other branch",
    async () => {
      const result = await pipeline("run", "memory_pipeline.yaml");
      expect(result.code, said(result)).toBe(1);
      const json = lastJson<PipelineJson>(result);
      const hog = step(json, "hog");
      expect(hog).toMatchObject({ status: "failed", oomKilled: true });
      expect(hog.reason).toMatch(/96 MB|91\.6 MiB|96000000|memory limit/);
      expect(step(json, "after-hog")).toMatchObject({ status: "not-run", reason: "hog did not succeed" });
      expect(step(json, "other").status).toBe("succeeded");
      expect((await record(hog.runId!)).memoryLimitBytes).toBe(96e6);
    },
    TIMEOUT,
  );

  it(
    "refuses, as production would fail, a lightweight component whose image's Python the OS manages (PEP 668)",
    async () => {
      const debian = await mkdtemp(path.join(dir, "debian-"));
      await writeFile(path.join(debian, "parity.yaml"), await readFile(path.join(dir, "parity.yaml")));
      await compileKfp("memory_pipeline", debian);
      const result = await runCli(["pipeline", "run", "memory_pipeline.yaml"], { cwd: debian });
      expect(result.code).toBe(1);
      expect(said(result)).toMatch(
        /memory_pipeline\.yaml:\d+: The task [a-z-]+'s image parity\/python:3\.11-bookworm refuses the packages its command installs as it starts \(its Python is managed by the OS, PEP 668\): in production the task fails the same way\./,
      );
      // Nothing ran: no step's record was made.
      expect(said(result)).not.toMatch(/started \(run /);
    },
    TIMEOUT,
  );

  it(
    "tries a failed task again as its set_retry asks, each try a run of its own",
    async () => {
      const result = await pipeline("run", "retry_pipeline.yaml");
      expect(result.code, said(result)).toBe(0);
      const flaky = step(lastJson<PipelineJson>(result), "flaky");
      expect(flaky.status).toBe("succeeded");
      expect(said(result)).toContain("flaky: failed; trying again (2 of 3).");
      const pipelineRecord = await record(lastJson<PipelineJson>(result).runId);
      expect(pipelineRecord.steps?.[0]?.attempts).toBe(2);
      // Both tries are recorded: the first failed with its exit code, the second passed.
      const tries = await Promise.all((pipelineRecord.children ?? []).map((child) => record(child)));
      expect(tries.map((each) => [each.status, each.exitCode])).toEqual([
        ["failed", 3],
        ["succeeded", 0],
      ]);
      expect(await logsOf(tries[0]!.runId)).toEqual(["first try fails"]);
      expect(await logsOf(tries[1]!.runId)).toEqual(["second try passes"]);
    },
    TIMEOUT,
  );

  it("checks a compiled pipeline without building or running anything", async () => {
    const checked = await runCli(["pipeline", "check", "numbers_pipeline.yaml"], { cwd: dir });
    expect(checked.code, said(checked)).toBe(0);
    expect(checked.out).toEqual([
      "numbers_pipeline.yaml: pipeline numbers, 3 steps, no problems found.",
      "  make",
      "  report after total",
      "  total after make",
    ]);
  });

  it("refuses a -p that names no parameter, or a value of the wrong type, before building anything", async () => {
    const unknown = await pipeline("run", "numbers_pipeline.yaml", "-p", "count=3");
    expect(unknown.code).toBe(1);
    expect(said(unknown)).toContain("-p count=3 names no parameter of the pipeline numbers.");
    const wrong = await pipeline("run", "numbers_pipeline.yaml", "-p", "n=five");
    expect(wrong.code).toBe(1);
    expect(said(wrong)).toContain('The parameter n is "five", not an integer.');
  });
});
