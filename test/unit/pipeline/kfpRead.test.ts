import { readFileSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { executorInput, resolvePlaceholders, taskOutputs } from "../../../src/core/pipeline/kfp/executor";
import { readKfpPipeline } from "../../../src/core/pipeline/kfp/read";
import type { KfpTask } from "../../../src/core/pipeline/kfp/types";
import type { Pipeline } from "../../../src/core/pipeline/types";
import { compileKfp, withKfp } from "../../kfp/harness/kfp";

// Pipelines compiled by the real kfp SDK (2.17.3 from PyPI, test/kfp/harness/ensure-kfp.sh), read by Parity.
let numbers: Pipeline;
let numbersFile = "";
const taskOf = (pipeline: Pipeline, name: string): KfpTask => {
  const code = pipeline.steps.find((step) => step.name === name)!.code;
  if (code.kind !== "kfp") throw new Error(`${name} is not a KFP task`);
  return code.task;
};
const names = {
  pipelineName: "numbers",
  pipelineRunId: "numbers-20261205-1",
  taskRunId: "numbers-make-20261205-2",
  pipelineRoot: "/workspace/.parity/runs",
  createdAt: "2026-12-05T02:00:00Z",
};

beforeAll(async () => {
  const compiled = await compileKfp("numbers_pipeline");
  numbersFile = compiled.file;
  numbers = readKfpPipeline(compiled.text, compiled.file);
}, 300_000);

describe("readKfpPipeline on kfp's compiled YAML", () => {
  it("reads every task as a step, with its edges, inputs, outputs, limits, retries and caching option", () => {
    expect(numbers.name).toBe("numbers");
    expect(numbers.format).toBe("kfp");
    expect(numbers.parameters.map((p) => [p.name, p.defaultSource])).toEqual([
      ["label", '"sum"'],
      ["n", "5"],
    ]);
    const steps = Object.fromEntries(numbers.steps.map((step) => [step.name, step]));
    expect(Object.keys(steps).sort()).toEqual(["make", "report", "total"]);
    expect(steps.make).toMatchObject({
      after: [],
      outputs: ["Output", "data"],
      limits: { memoryBytes: 256e6, nanoCpus: 0.5e9 },
      retries: 2,
      cache: true,
    });
    expect(steps.total).toMatchObject({
      after: ["make"],
      inputs: [
        { name: "factor", from: "make", output: "Output" },
        { name: "data", from: "make", output: "data" },
      ],
      outputs: ["Output", "metrics"],
      limits: {},
      retries: 0,
      // set_caching_options(False) compiles to an empty cachingOptions.
      cache: false,
    });
    expect(steps.report?.after).toEqual(["total"]);
    expect(steps.make?.location.line).toBeGreaterThan(1);
  });

  it("keeps what a lightweight component's command installs, in order", () => {
    expect(taskOf(numbers, "make").pipInstalls).toEqual([
      ["kfp==2.17.3", "--no-deps", 'typing-extensions>=3.7.4,<5; python_version<"3.9"'],
    ]);
    expect(taskOf(numbers, "total").pipInstalls).toEqual([
      ["six==1.16.0"],
      ["kfp==2.17.3", "--no-deps", 'typing-extensions>=3.7.4,<5; python_version<"3.9"'],
    ]);
    expect(taskOf(numbers, "report").pipInstalls).toBeUndefined();
  });

  it("keeps a component's own package index, which kfp writes unquoted", async () => {
    const compiled = await compileKfp("indexed_pipeline");
    const task = taskOf(readKfpPipeline(compiled.text, compiled.file), "hello");
    expect(task.pipInstalls?.[0]).toEqual([
      "--index-url",
      "https://pypi.example/simple",
      "--trusted-host",
      "https://pypi.example/simple",
      "six==1.16.0",
    ]);
    // kfp itself comes from the same index.
    expect(task.pipInstalls?.[1]).toEqual(
      expect.arrayContaining(["--index-url", "https://pypi.example/simple", "kfp==2.17.3"]),
    );
  });

  it("builds an ExecutorInput that kfp's own protobuf message accepts, and resolves {{$}} to it", async () => {
    const task = taskOf(numbers, "total");
    const input = executorInput(
      task,
      {
        parameters: { factor: 10 },
        artifacts: {
          data: {
            name: "data",
            type: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
            uri: "/workspace/.parity/runs/make-1/outputs/data",
            metadata: {},
          },
        },
      },
      "/workspace/.parity/runs/total-1/outputs",
    );
    const command = resolvePlaceholders(task, input, names);
    const json = command[command.indexOf("--executor_input") + 1]!;
    expect(JSON.parse(json)).toEqual(input);
    // kfp's ExecutorInput, parsed strictly from the JSON Parity wrote.
    const parsed = await withKfp(
      [
        "import sys, json",
        "from google.protobuf import json_format",
        "from kfp.pipeline_spec import pipeline_spec_pb2",
        "message = json_format.Parse(sys.stdin.read(), pipeline_spec_pb2.ExecutorInput())",
        "print(json.dumps(json_format.MessageToDict(message)))",
      ].join("\n"),
      json,
    );
    const round = JSON.parse(parsed) as typeof input;
    expect(round.inputs.parameterValues).toEqual({ factor: 10 });
    expect(round.inputs.artifacts.data?.artifacts[0]?.uri).toBe(
      "/workspace/.parity/runs/make-1/outputs/data",
    );
    expect(round.outputs.parameters.Output?.outputFile).toBe(
      "/workspace/.parity/runs/total-1/outputs/Output",
    );
    expect(round.outputs.artifacts.metrics?.artifacts[0]?.type.schemaTitle).toBe("system.Metrics");
    expect(round.outputs.outputFile).toBe("/workspace/.parity/runs/total-1/outputs/executor_output.json");
  });

  it("resolves a container component's parameter, Concat and output-file placeholders", () => {
    const task = taskOf(numbers, "report");
    const input = executorInput(task, { parameters: { value: 100.0, label: "sum" }, artifacts: {} }, "/out");
    const command = resolvePlaceholders(task, input, names);
    expect(command.slice(0, 2)).toEqual(["python3", "-c"]);
    expect(command.slice(3)).toEqual(["100", "total-sum", "/out/note"]);
  });

  it("reads outputs as KFP does: the executor's file, then each output's own file, which wins", () => {
    const task = taskOf(numbers, "total");
    const outputs = taskOutputs(
      task,
      JSON.stringify({
        parameterValues: { Output: 100 },
        artifacts: { metrics: { artifacts: [{ name: "metrics", metadata: { count: 5 } }] } },
      }),
      {},
    );
    expect(outputs).toEqual({
      parameters: { Output: 100 },
      artifactMetadata: { metrics: { count: 5 } },
      missing: [],
    });
    const report = taskOf(numbers, "report");
    expect(taskOutputs(report, undefined, { note: "sum=100" }).parameters).toEqual({ note: "sum=100" });
    expect(taskOutputs(report, undefined, {}).missing).toEqual(["note"]);
  });

  it("refuses what it cannot run yet (a condition, a loop) with the task and its line, reading nothing else", async () => {
    const compiled = await compileKfp("unsupported_pipeline");
    let caught: unknown;
    try {
      readKfpPipeline(compiled.text, compiled.file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParityError);
    const error = caught as ParityError;
    const messages = error.details.map((detail) => detail.message);
    expect(messages).toEqual([
      "The task condition-1 runs under a condition (dsl.If), which Parity cannot run locally yet.",
      "The task for-loop-3 loops over items (dsl.ParallelFor), which Parity cannot run locally yet.",
    ]);
    expect(error.details[0]?.location?.line).toBeGreaterThan(1);
    expect(error.details[0]?.location?.file).toBe(compiled.file);
  }, 120_000);

  it("refuses a file that is not a compiled pipeline, and a task whose input comes from an undeclared parameter", () => {
    expect(() => readKfpPipeline("steps: []\n", numbersFile)).toThrow(/is not a pipeline compiled by kfp/);
    const broken = numbersFile.replace(/\.yaml$/, "-broken.yaml");
    const text = readFileSync(numbersFile, "utf8").replace(
      "componentInputParameter: n",
      "componentInputParameter: count",
    );
    writeFileSync(broken, text);
    expect(() => readKfpPipeline(text, broken)).toThrow(
      /The task make's input n is the pipeline's parameter count, which the pipeline does not declare\./,
    );
  });
});
