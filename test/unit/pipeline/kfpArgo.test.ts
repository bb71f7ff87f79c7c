import { execFile } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import type { ArgoContainer, ArgoPlace } from "../../../src/core/pipeline/argo/write";
import { writeArgoWorkflow } from "../../../src/core/pipeline/argo/write";
import { typedParameters } from "../../../src/core/pipeline/compiled";
import { kfpArgoContainer, kfpArgoPlan } from "../../../src/core/pipeline/kfp/argo";
import { executorInput, resolvePlaceholders, type TaskInputs } from "../../../src/core/pipeline/kfp/executor";
import { readKfpPipeline } from "../../../src/core/pipeline/kfp/read";
import type { KfpTask } from "../../../src/core/pipeline/kfp/types";
import type { Pipeline, PipelineParameter, PipelineStep } from "../../../src/core/pipeline/types";
import { compileKfp } from "../../kfp/harness/kfp";
import { pipelineStep } from "../../helpers/pipeline";

// kfpArgoContainer, and its entry run for real by python3 against a temporary folder standing in for
// the run's volume, with the pipeline parameters' values given as Argo gives them.
const run = promisify(execFile);
const WORKFLOW = "numbers-x7k2p";
const POD = "numbers-x7k2p-show-123";
const CREATED = "2026-12-05T02:00:00Z";

/** A command that prints the arguments it was given, as JSON. */
const ECHO = ["python3", "-c", "import json, sys; print(json.dumps(sys.argv[1:]))"];
const TRICKY = 'say "hi" \\ now\nnext\tline \' é 漢字 🎉 $HOME @@PARITY\\VALUE_0@@ {"a": 1}';

let volume = "";
beforeEach(async () => {
  volume = await mkdtemp(path.join(tmpdir(), "parity-kfp-argo-"));
});
afterEach(async () => {
  await rm(volume, { recursive: true, force: true });
});

const location = { file: "/work/pipeline.yaml", line: 3 };
const kfpParameter = (name: string, kfpType: PipelineParameter["kfpType"], value?: unknown) => ({
  name,
  kfpType,
  ...(value !== undefined && { defaultSource: JSON.stringify(value) }),
  location,
});
const parameters: PipelineParameter[] = [
  kfpParameter("label", "STRING", "sum"),
  kfpParameter("n", "NUMBER_INTEGER", 5),
  kfpParameter("rate", "NUMBER_DOUBLE", 0.5),
  // A boolean's default as a value: its JSON (false) is not Python's, which typedParameters reads.
  { ...kfpParameter("flag", "BOOLEAN", false), defaultValue: false },
  kfpParameter("sizes", "LIST", [1, 2]),
];

/** The task this test's pipeline shows: every kind of source, every kind of placeholder. */
const show: KfpTask = {
  name: "show",
  component: "comp-show",
  executor: "exec-show",
  image: "python:3.11",
  command: ECHO,
  args: [
    "{{$}}",
    "{{$.inputs.parameters['text']}}",
    "{{$.inputs.parameters['count']}}",
    "{{$.inputs.parameters['rate']}}",
    "{{$.inputs.parameters['flag']}}",
    "{{$.inputs.parameters['doubled']}}",
    "{{$.inputs.parameters['ratio']}}",
    "{{$.inputs.parameters['sizes']}}",
    '{"Concat": ["total-", "{{$.inputs.parameters[\'text\']}}", "-", "{{$.inputs.parameters[\'count\']}}"]}',
    '{"IfPresent": {"InputName": "text", "Then": ["--text"], "Else": ["--no-text"]}}',
    '{"IfPresent": {"InputName": "maybe", "Then": ["--maybe"], "Else": ["--no-maybe"]}}',
    "{{$.inputs.artifacts['data'].metadata}}",
    "{{$.inputs.artifacts['data'].path}}",
    "{{$.inputs.artifacts['bare'].metadata}}",
    "{{$.outputs.parameters['out'].output_file}}",
    "{{$.outputs.artifacts['model'].uri}}",
    "{{$.pipeline_job_name}}",
    "{{$.pipeline_job_uuid}}",
    "{{$.pipeline_task_uuid}}",
    "{{$.pipeline_root}}",
    "{{$.pipeline_job_create_time_utc}}",
  ],
  env: { MODE: "argo" },
  parameters: {
    text: { pipelineParameter: "label" },
    count: { pipelineParameter: "n" },
    rate: { pipelineParameter: "rate" },
    flag: { pipelineParameter: "flag" },
    sizes: { pipelineParameter: "sizes" },
    label2: { pipelineParameter: "label" },
    doubled: { task: "make", output: "Output" },
    ratio: { task: "make", output: "ratio" },
    fixed: { constant: "k" },
  },
  artifacts: { data: { task: "make", output: "data" }, bare: { task: "make", output: "plain" } },
  parameterDefinitions: {
    text: { parameterType: "STRING" },
    count: { parameterType: "NUMBER_INTEGER" },
    rate: { parameterType: "NUMBER_DOUBLE" },
    flag: { parameterType: "BOOLEAN" },
    sizes: { parameterType: "LIST" },
    label2: { parameterType: "STRING" },
    doubled: { parameterType: "NUMBER_INTEGER" },
    ratio: { parameterType: "NUMBER_DOUBLE" },
    fixed: { parameterType: "STRING" },
    maybe: { parameterType: "STRING", isOptional: true },
    withDefault: { parameterType: "NUMBER_INTEGER", defaultValue: 3 },
  },
  artifactDefinitions: {
    data: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
    bare: { schemaTitle: "system.Artifact" },
  },
  outputParameters: { out: { parameterType: "STRING" } },
  outputArtifacts: { model: { schemaTitle: "system.Model" } },
};
const pipeline: Pick<Pipeline, "name" | "parameters"> = { name: "numbers", parameters };
const stepOf = (task: KfpTask): PipelineStep =>
  pipelineStep(task.name, location, { code: { kind: "kfp", task } });

/** The Workflow's place, with the volume at the temporary folder instead of /parity-artifacts. */
const placeOn = (root: string, pipelineParameters = parameters): ArgoPlace => ({
  parameters: typedParameters(pipelineParameters).typed,
  parameter: (name) => `{{inputs.parameters.${name}}}`,
  outputsDir: (stepName) => `${root}/{{workflow.name}}/${stepName}`,
});

/** What Argo does to the container's command and arguments before the pod starts: its variables replaced. */
function asArgo(container: ArgoContainer, values: Record<string, string>): string[] {
  const variables: Record<string, string> = {
    "workflow.name": WORKFLOW,
    "pod.name": POD,
    "workflow.creationTimestamp": CREATED,
    ...Object.fromEntries(
      Object.entries(values).map(([name, value]) => [`inputs.parameters.${name}`, value]),
    ),
  };
  return [...container.command, ...container.args].map((part) =>
    part.replace(/\{\{([^{}]+)\}\}/g, (whole, name: string) => variables[name] ?? whole),
  );
}

/** Runs the pod's command (python3 here standing in for the image's). */
async function runPod(container: ArgoContainer, values: Record<string, string>) {
  const [program, ...args] = asArgo(container, values);
  return run(program!, args, { maxBuffer: 16 * 1024 * 1024 });
}

/** make's outputs on the volume: one parameter in its own file, one in executor_output.json, metadata. */
async function writeMakeOutputs(doubled = "10") {
  const dir = path.join(volume, WORKFLOW, "make");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "Output"), doubled);
  await writeFile(path.join(dir, "data"), "0\n1\n2\n");
  await writeFile(path.join(dir, "plain"), "x");
  await writeFile(
    path.join(dir, "executor_output.json"),
    JSON.stringify({
      parameterValues: { Output: 999, ratio: 2.0 },
      artifacts: {
        data: { artifacts: [{ name: "data", metadata: { count: 3, é: 'q"uote', nested: { x: [1.5] } } }] },
      },
    }),
  );
}

describe("kfpArgoContainer", () => {
  it("resolves in the pod exactly what a local run resolves with the same values", async () => {
    await writeMakeOutputs();
    const container = kfpArgoContainer(show, stepOf(show), placeOn(volume), "registry/show:1", pipeline);
    expect(container).toMatchObject({
      image: "registry/show:1",
      command: ["python3", "-c", expect.any(String)],
      env: { MODE: "argo" },
      parameters: ["label", "n", "rate", "flag"],
    });
    expect(container.args.slice(1)).toEqual([
      "{{workflow.name}}",
      "{{pod.name}}",
      "{{workflow.creationTimestamp}}",
      "{{inputs.parameters.label}}",
      "{{inputs.parameters.n}}",
      "{{inputs.parameters.rate}}",
      "{{inputs.parameters.flag}}",
    ]);

    const { stdout } = await runPod(container, { label: TRICKY, n: "7", rate: "1.25", flag: "TRUE " });
    const printed = JSON.parse(stdout) as string[];

    // The local runner's resolution (executor.ts), given the values the pod found.
    const outputs = (stepName: string) => `${volume}/${WORKFLOW}/${stepName}`;
    const given: TaskInputs = {
      parameters: {
        text: TRICKY,
        count: 7,
        rate: 1.25,
        flag: true,
        sizes: [1, 2],
        label2: TRICKY,
        doubled: 10,
        ratio: 2,
        fixed: "k",
      },
      artifacts: {
        data: {
          name: "data",
          type: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
          uri: `${outputs("make")}/data`,
          metadata: { count: 3, é: 'q"uote', nested: { x: [1.5] } },
        },
        bare: {
          name: "plain",
          type: { schemaTitle: "system.Artifact" },
          uri: `${outputs("make")}/plain`,
          metadata: {},
        },
      },
    };
    const local = resolvePlaceholders(show, executorInput(show, given, outputs("show")), {
      pipelineName: "numbers",
      pipelineRunId: WORKFLOW,
      taskRunId: POD,
      pipelineRoot: `${volume}/${WORKFLOW}`,
      createdAt: CREATED,
    });
    expect(printed).toEqual(local.slice(ECHO.length));

    // Read plainly: typed values in {{$}}, text where a placeholder stands alone.
    const input = JSON.parse(printed[0]!) as { inputs: { parameterValues: Record<string, unknown> } };
    expect(input.inputs.parameterValues).toEqual({ ...given.parameters, withDefault: 3 });
    expect(printed.slice(1, 10)).toEqual([
      TRICKY,
      "7",
      "1.25",
      "true",
      "10",
      "2",
      "[1,2]",
      `total-${TRICKY}-7`,
      "--text",
    ]);
    expect(printed[10]).toBe("--no-maybe");
    expect(JSON.parse(printed[11]!)).toEqual({ count: 3, é: 'q"uote', nested: { x: [1.5] } });
    expect(printed.slice(12)).toEqual([
      `${outputs("make")}/data`,
      "{}",
      `${outputs("show")}/out`,
      `${outputs("show")}/model`,
      "numbers",
      WORKFLOW,
      POD,
      `${volume}/${WORKFLOW}`,
      CREATED,
    ]);
    // The task's outputs folder is made before its command starts.
    expect((await stat(outputs("show"))).isDirectory()).toBe(true);
  });

  it("reads an upstream output's own file as its type says, and executor_output.json where there is none", async () => {
    await writeMakeOutputs("12\n");
    const container = kfpArgoContainer(show, stepOf(show), placeOn(volume), "show:1", pipeline);
    const values = { label: "", n: "0", rate: "-3", flag: "false" };
    const input = (stdout: string) =>
      (JSON.parse(JSON.parse(stdout)[0]) as { inputs: { parameterValues: Record<string, unknown> } }).inputs
        .parameterValues;
    expect(input((await runPod(container, values)).stdout)).toMatchObject({
      text: "",
      count: 0,
      rate: -3,
      flag: false,
      doubled: 12,
    });
    await rm(path.join(volume, WORKFLOW, "make", "Output"));
    expect(input((await runPod(container, values)).stdout)).toMatchObject({ doubled: 999 });
  });

  it("fails the pod with KFP's sentence when a value is not of its type, or an upstream output is missing", async () => {
    await writeMakeOutputs();
    const container = kfpArgoContainer(show, stepOf(show), placeOn(volume), "show:1", pipeline);
    const values = { label: "x", n: "five", rate: "1", flag: "true" };
    await expect(runPod(container, values)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('The parameter n is "five", not an integer.'),
    });
    await expect(runPod(container, { ...values, n: "1", flag: "yes" })).rejects.toMatchObject({
      stderr: expect.stringContaining('The parameter flag is "yes", not true or false.'),
    });
    await writeMakeOutputs("ten");
    await expect(runPod(container, { ...values, n: "1" })).rejects.toMatchObject({
      stderr: expect.stringContaining(`make's output Output is "ten", not an integer.`),
    });
    await rm(path.join(volume, WORKFLOW, "make", "Output"));
    await writeFile(path.join(volume, WORKFLOW, "make", "executor_output.json"), "{}");
    await expect(runPod(container, { ...values, n: "1" })).rejects.toMatchObject({
      stderr: expect.stringContaining("The task make ended without writing its output Output."),
    });
  });

  it("runs a task that gives only arguments with its image's ENTRYPOINT in front, as a container runtime would", async () => {
    const argsOnly: KfpTask = {
      ...show,
      name: "argsonly",
      command: [],
      args: ["{{$.inputs.parameters['text']}}", "{{$.pipeline_job_name}}"],
      artifacts: {},
      parameters: { text: { pipelineParameter: "label" } },
    };
    const container = kfpArgoContainer(
      argsOnly,
      stepOf(argsOnly),
      placeOn(volume),
      "registry/x:1",
      pipeline,
      ECHO,
    );
    const { stdout } = await runPod(container, { label: "from the pod" });
    expect(JSON.parse(stdout)).toEqual(["from the pod", "numbers"]);
    // Without an ENTRYPOINT the first argument is the program, as a runtime takes it; with neither, nothing runs.
    const nothing: KfpTask = { ...argsOnly, args: [] };
    expect(() =>
      kfpArgoContainer(nothing, stepOf(nothing), placeOn(volume), "registry/x:1", pipeline, []),
    ).toThrow(
      "The task argsonly gives no command or arguments and its image python:3.11 has no ENTRYPOINT, so there is nothing to run.",
    );
  });

  it("refuses a task whose input is a pipeline parameter Argo cannot pass and that has no default", () => {
    const noDefault = [
      ...parameters.filter((each) => each.name !== "n"),
      kfpParameter("n", "NUMBER_INTEGER"),
    ];
    let caught: unknown;
    try {
      kfpArgoContainer(show, stepOf(show), placeOn(volume, noDefault), "show:1", {
        name: "numbers",
        parameters: noDefault,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParityError);
    expect((caught as ParityError).message).toBe(
      "The task show's input count is the pipeline's parameter n, which has no default for the Argo Workflow to pass.",
    );
    expect((caught as ParityError).location).toEqual(location);
  });
});

describe("kfpArgoContainer on a pipeline compiled by the real kfp SDK", () => {
  let numbers: Pipeline;
  beforeAll(async () => {
    const compiled = await compileKfp("numbers_pipeline");
    numbers = readKfpPipeline(compiled.text, compiled.file);
  }, 300_000);
  const containerOf = (step: PipelineStep, place: ArgoPlace) => {
    if (step.code.kind !== "kfp") throw new Error(`${step.name} is not a KFP task`);
    return kfpArgoContainer(step.code.task, step, place, `registry/${step.name}:1`, numbers);
  };

  it("makes each task a template taking the pipeline parameters it uses", () => {
    const { workflow } = writeArgoWorkflow(numbers, {
      image: "registry/make:1, registry/total:1",
      limits: { memoryBytes: 512 * 1024 * 1024, nanoCpus: 1e9, shmBytes: 64 * 1024 * 1024, gpu: 0 },
      container: containerOf,
      nodeSelector: {},
      tolerations: [],
    });
    const templates = (workflow.spec as { templates: Record<string, unknown>[] }).templates;
    const byName = Object.fromEntries(templates.map((template) => [template.name, template]));
    expect(byName.make).toMatchObject({
      inputs: { parameters: [{ name: "n" }] },
      container: {
        image: "registry/make:1",
        args: [
          expect.any(String),
          "{{workflow.name}}",
          "{{pod.name}}",
          "{{workflow.creationTimestamp}}",
          "{{inputs.parameters.n}}",
        ],
      },
    });
    expect(byName.report).toMatchObject({ inputs: { parameters: [{ name: "label" }] } });
    expect(byName.total).not.toHaveProperty("inputs");
    // What only the pod knows is never in the plan: total's factor is a stand-in, its artifact a path.
    // Argo sees the plan only as base64: a {{ in a component's own code is not Argo's to read.
    expect((byName.total!.container as { args: string[] }).args[0]).not.toContain("{{");
    const plan = kfpArgoPlan((byName.total!.container as { args: string[] }).args) as {
      values: unknown[];
      command: string[];
    };
    expect(plan.values).toEqual([
      {
        task: "make",
        output: "Output",
        dir: "/parity-artifacts/{{workflow.name}}/make",
        type: "NUMBER_INTEGER",
      },
      { task: "make", metadata: "data", dir: "/parity-artifacts/{{workflow.name}}/make" },
    ]);
  });

  it("runs a container component's own command, its Concat and output file resolved, its value from upstream", async () => {
    const report = numbers.steps.find((step) => step.name === "report")!;
    const totalDir = path.join(volume, WORKFLOW, "total");
    await mkdir(totalDir, { recursive: true });
    await writeFile(
      path.join(totalDir, "executor_output.json"),
      JSON.stringify({ parameterValues: { Output: 100.0 } }),
    );
    const container = containerOf(report, placeOn(volume));
    const { stdout } = await runPod(container, { label: TRICKY });
    expect(stdout).toBe(`total-${TRICKY} 100\n`);
    expect(await readFile(path.join(volume, WORKFLOW, "report", "note"), "utf8")).toBe(`total-${TRICKY}=100`);
  });
});
