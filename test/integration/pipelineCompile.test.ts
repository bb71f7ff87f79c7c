import { readFile, writeFile } from "node:fs/promises";
import { load } from "js-yaml";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withKfp } from "../kfp/harness/kfp";
import { logLinesIn, said, type PipelineJson } from "./helpers/pipelineRuns";
import { copyWorkspace, lastJson, runCli } from "./helpers/workspace";

// parity pipeline compile --to kfp: the output is checked with the real kfp SDK (2.17.3 from PyPI)
// and run again by Parity on the real engine, where it must give what the pipeline gave.
const TIMEOUT = 600_000;

const workspaces: Awaited<ReturnType<typeof copyWorkspace>>[] = [];
let kale = "";
let yaml = "";
beforeAll(async () => {
  const copies = await Promise.all([
    copyWorkspace("test/fixtures/workspaces/kale-pipeline"),
    copyWorkspace("test/fixtures/workspaces/yaml-pipeline"),
  ]);
  workspaces.push(...copies);
  [kale, yaml] = copies.map((copy) => copy.dir) as [string, string];
});
afterAll(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.remove()));
});

const logsOf = logLinesIn;

/** kfp's own parsers: the whole PipelineSpec, its deploymentSpec, and the loader that reuses a compiled pipeline. */
async function kfpReads(file: string): Promise<{ component: string; inputs: string[] }> {
  const out = await withKfp(
    [
      "import json, sys, yaml",
      "from google.protobuf import json_format",
      "from kfp import components",
      "from kfp.pipeline_spec import pipeline_spec_pb2",
      `spec = yaml.safe_load(open(${JSON.stringify(file)}))`,
      "json_format.ParseDict(spec, pipeline_spec_pb2.PipelineSpec())",
      "json_format.ParseDict(spec['deploymentSpec'], pipeline_spec_pb2.PipelineDeploymentConfig())",
      `loaded = components.load_component_from_file(${JSON.stringify(file)})`,
      "print(json.dumps({'component': loaded.name, 'inputs': sorted(loaded.component_spec.inputs or {})}))",
    ].join("\n"),
  );
  return JSON.parse(out.trim().split("\n").at(-1)!) as { component: string; inputs: string[] };
}

describe("parity pipeline compile --to kfp", () => {
  it(
    "writes a tagged notebook as a PipelineSpec kfp reads, which runs to the same result",
    async () => {
      const compiled = await runCli(
        ["pipeline", "compile", "numbers.ipynb", "--to", "kfp", "-o", "numbers.kfp.yaml"],
        {
          cwd: kale,
        },
      );
      expect(compiled.code, said(compiled)).toBe(0);
      expect(compiled.err).toContain("Wrote numbers.kfp.yaml (a KFP v2 PipelineSpec).");
      expect(await kfpReads(path.join(kale, "numbers.kfp.yaml"))).toEqual({
        component: "numbers",
        inputs: ["pause", "size"],
      });

      const run = await runCli(["pipeline", "run", "numbers.kfp.yaml", "-p", "size=4", "--json"], {
        cwd: kale,
      });
      expect(run.code, said(run)).toBe(0);
      const json = lastJson<PipelineJson>(run);
      expect(json.steps.map((step) => [step.name, step.status])).toEqual([
        ["load", "succeeded"],
        ["squares", "succeeded"],
        ["total", "succeeded"],
        ["report", "succeeded"],
      ]);
      const report = json.steps.find((step) => step.name === "report")!;
      expect(await logsOf(kale, report.runId!)).toContain('report {"sum_of_squares": 14, "total": 6}');
    },
    TIMEOUT,
  );

  it(
    "writes a pipeline.yaml as a PipelineSpec kfp reads, to stdout, which runs to the same result",
    async () => {
      const compiled = await runCli(["pipeline", "compile", "pipeline.yaml", "--to", "kfp"], { cwd: yaml });
      expect(compiled.code, said(compiled)).toBe(0);
      const text = `${compiled.out.join("\n")}\n`;
      expect(text.startsWith("# PIPELINE DEFINITION\n# Name: files\n")).toBe(true);
      const file = path.join(yaml, "files.kfp.yaml");
      await writeFile(file, text);
      expect(await kfpReads(file)).toEqual({ component: "files", inputs: ["count", "label"] });

      // A value with quotes and a backslash arrives as it is: it is never spliced into JSON.
      const label = 'say "hi" \\ now';
      const run = await runCli(
        ["pipeline", "run", "files.kfp.yaml", "-p", "count=3", "-p", `label=${label}`, "--json"],
        { cwd: yaml },
      );
      expect(run.code, said(run)).toBe(0);
      const report = lastJson<PipelineJson>(run).steps.find((step) => step.name === "report")!;
      expect(await logsOf(yaml, report.runId!)).toEqual([`${label}: 5`]);
    },
    TIMEOUT,
  );

  it("writes an Argo Workflow of the same pipeline", async () => {
    const compiled = await runCli(
      ["pipeline", "compile", "pipeline.yaml", "--to", "argo", "-o", "files.argo.yaml"],
      {
        cwd: yaml,
      },
    );
    expect(compiled.code, said(compiled)).toBe(0);
    expect(compiled.err).toContain("Wrote files.argo.yaml (an Argo Workflow).");
    const workflow = load(await readFile(path.join(yaml, "files.argo.yaml"), "utf8")) as {
      kind: string;
      spec: { entrypoint: string; templates: { name: string }[]; arguments: { parameters: unknown[] } };
    };
    expect(workflow.kind).toBe("Workflow");
    expect(workflow.spec.templates.map((template) => template.name)).toEqual([
      "pipeline",
      "prepare",
      "square",
      "report",
    ]);
    expect(workflow.spec.arguments.parameters).toEqual([
      { name: "count", value: "4" },
      { name: "label", value: "total" },
    ]);
  });

  it("refuses what it cannot write: another format, a pipeline compiled by kfp already, no --to", async () => {
    const argo = await runCli(["pipeline", "compile", "pipeline.yaml", "--to", "airflow"], { cwd: yaml });
    expect(argo.code).toBe(1);
    expect(said(argo)).toContain("--to airflow is not a format Parity compiles to.");
    const again = await runCli(["pipeline", "compile", "files.kfp.yaml", "--to", "kfp"], { cwd: yaml });
    expect(again.code).toBe(1);
    expect(said(again)).toContain("is a pipeline compiled by kfp already.");
    const none = await runCli(["pipeline", "compile", "pipeline.yaml"], { cwd: yaml });
    expect(none.code).toBe(2);
    expect(said(none)).toContain("say what to write with --to kfp or --to argo");
  });
});
