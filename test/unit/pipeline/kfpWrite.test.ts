import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { pipelineStep } from "../../helpers/pipeline";
import { writeKfpPipeline } from "../../../src/core/pipeline/kfp/write";
import type { Pipeline, PipelineStep } from "../../../src/core/pipeline/types";

const MiB = 1024 * 1024;
const location = { file: "/w/train.ipynb" };
const step = (name: string, over: Partial<PipelineStep> = {}) => pipelineStep(name, location, over);

const pipeline: Pipeline = {
  name: "Train Model",
  format: "kale",
  file: "/w/train.ipynb",
  parameters: [
    { name: "epochs", defaultSource: "3", location },
    { name: "rate", defaultSource: "0.5", location },
    { name: "optimizer", defaultSource: "'adam'", location },
    { name: "layers", defaultSource: "[64, 32]", location },
  ],
  steps: [
    step("prepare", { outputs: ["data"] }),
    step("train", {
      after: ["prepare"],
      inputs: [{ name: "data", from: "prepare", output: "data" }],
      limits: { memoryBytes: 8192 * MiB, gpu: 1 },
      retries: 2,
      cache: false,
    }),
  ],
};

const plan = {
  image: "registry.example/team/train:abc123",
  limits: { memoryBytes: 512 * MiB, nanoCpus: 1.5e9, gpu: 0, shmBytes: 64 * MiB },
  steps: new Map(
    ["prepare", "train"].map((name) => [
      name,
      {
        script: `/opt/parity/job/steps/${name}.py`,
        parameterNames: ["epochs", "rate", "optimizer", "layers"],
        allParameters: false,
      },
    ]),
  ),
};

describe("writeKfpPipeline", () => {
  const compiled = writeKfpPipeline(pipeline, plan);
  // The YAML as a tree to look into; its shape is what the test checks.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const spec = load(compiled.yaml) as Record<string, any>;

  it("starts as kfp's compiler starts, with KFP's name and the pipeline's typed parameters", () => {
    expect(compiled.yaml.split("\n").slice(0, 2)).toEqual(["# PIPELINE DEFINITION", "# Name: train-model"]);
    expect(spec.pipelineInfo).toEqual({ name: "train-model" });
    expect(spec.root.inputDefinitions.parameters).toEqual({
      epochs: { defaultValue: 3, isOptional: true, parameterType: "NUMBER_INTEGER" },
      rate: { defaultValue: 0.5, isOptional: true, parameterType: "NUMBER_DOUBLE" },
      optimizer: { defaultValue: "adam", isOptional: true, parameterType: "STRING" },
    });
    // A list KFP cannot pass as a parameter: said, and left to the step's own default.
    expect(compiled.notes).toEqual([
      "The parameter layers ([64, 32]) is not a plain string, number or boolean, which KFP and Argo pass: each step keeps its own default.",
    ]);
  });

  it("gives each task its limits, retries, caching option and inputs as KFP writes them", () => {
    const train = spec.root.dag.tasks.train;
    expect(train).toMatchObject({
      componentRef: { name: "comp-train" },
      dependentTasks: ["prepare"],
      cachingOptions: {},
      retryPolicy: { maxRetryCount: 2 },
      inputs: {
        artifacts: { data: { taskOutputArtifact: { producerTask: "prepare", outputArtifactKey: "data" } } },
      },
    });
    expect(spec.root.dag.tasks.prepare.cachingOptions).toEqual({ enableCache: true });
    const container = spec.deploymentSpec.executors["exec-train"].container;
    expect(container.image).toBe("registry.example/team/train:abc123");
    expect(container.resources).toEqual({
      resourceMemoryLimit: "8192Mi",
      memoryLimit: (8192 * MiB) / 1e9,
      resourceCpuLimit: "1500m",
      cpuLimit: 1.5,
      accelerator: { resourceType: "nvidia.com/gpu", resourceCount: "1", type: "nvidia.com/gpu", count: 1 },
    });
    const [script, plan, ...values] = container.args as string[];
    expect(script).toBe("/opt/parity/job/steps/train.py");
    expect(JSON.parse(plan!)).toEqual({
      parameters: ["epochs", "rate", "optimizer"],
      types: { epochs: "integer", rate: "number", optimizer: "string" },
      own: ["epochs", "rate", "optimizer"],
      all: [],
      inputs: { data: "{{$.inputs.artifacts['data'].path}}" },
      outputs: [],
      files: {},
    });
    // Each value an argument of its own: KFP puts it there as it is, quotes and all.
    expect(values).toEqual([
      "{{$.inputs.parameters['epochs']}}",
      "{{$.inputs.parameters['rate']}}",
      "{{$.inputs.parameters['optimizer']}}",
    ]);
  });
});

describe("step names in KFP and Argo", () => {
  it("are lowercase words joined by '-', each task keeping its own name, and two that would clash are refused", () => {
    const snake: Pipeline = {
      ...pipeline,
      steps: [
        step("load_data", { outputs: ["data"] }),
        step("Train", {
          after: ["load_data"],
          inputs: [{ name: "data", from: "load_data", output: "data" }],
        }),
      ],
    };
    const spec = load(
      writeKfpPipeline(snake, {
        ...plan,
        steps: new Map([
          ["load_data", plan.steps.get("prepare")!],
          ["Train", plan.steps.get("train")!],
        ]),
      }).yaml,
    ) as {
      root: { dag: { tasks: Record<string, { taskInfo: { name: string }; dependentTasks?: string[] }> } };
    };
    expect(Object.keys(spec.root.dag.tasks)).toEqual(["load-data", "train"]);
    expect(spec.root.dag.tasks.train!.dependentTasks).toEqual(["load-data"]);
    expect(spec.root.dag.tasks["load-data"]!.taskInfo.name).toBe("load_data");
    const clash: Pipeline = { ...pipeline, steps: [step("load_data"), step("load-data")] };
    expect(() => writeKfpPipeline(clash, plan)).toThrow(
      "The steps load_data and load-data would both be called load-data in KFP and Argo, which allow no '_' or capitals in a task's name.",
    );
  });
});
