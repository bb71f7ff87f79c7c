import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDocker } from "../../src/targets/docker/connection";
import { runToEnd } from "./helpers/containers";
import { compileKfp, KFP_TEST_IMAGE as IMAGE, kfpWorkspace } from "../kfp/harness/kfp";
import { said, stepOf, type PipelineJson } from "./helpers/pipelineRuns";
import { lastJson, runCli } from "./helpers/workspace";

// A pipeline compiled by the real kfp SDK (2.17.3 from PyPI), compiled by Parity to an Argo
// Workflow, whose steps run on the real Docker engine in the order of its DAG. Argo is played by
// the test: it replaces the variables Argo replaces in a container's command and arguments
// ({{workflow.name}}, {{pod.name}}, {{workflow.creationTimestamp}}, {{inputs.parameters.x}}) and
// mounts one folder at /parity-artifacts for every step, as the Workflow's volume is; the real
// controller is exercised by the cluster tests. The outputs must be those of a local run.
const TIMEOUT = 900_000;
const WORKFLOW = "numbers-argo-1";
const CREATED = "2026-12-05T02:00:00Z";
const LABEL = 'say "hi" \\ now\nnext\tline \' é 漢字 🎉 @@PARITY\\VALUE_0@@ {"a": 1}';

interface Template {
  name: string;
  inputs?: { parameters: { name: string }[] };
  container?: { image: string; command: string[]; args: string[]; env?: { name: string; value: string }[] };
  dag?: {
    tasks: {
      name: string;
      template: string;
      dependencies?: string[];
      arguments?: { parameters: { name: string; value: string }[] };
    }[];
  };
}
interface Workflow {
  spec: {
    entrypoint: string;
    arguments: { parameters: { name: string; value: string }[] };
    templates: Template[];
  };
}

let dir = "";
let docker: Dockerode;
beforeAll(async () => {
  dir = await kfpWorkspace("parity-kfp-argo-");
  docker = (await connectDocker()).docker;
  await compileKfp("numbers_pipeline", dir, IMAGE);
}, TIMEOUT);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs one step's container as its pod would, the run's volume at /parity-artifacts; returns its output. */
async function runStep(template: Template, parameters: Record<string, string>, volume: string) {
  const variables: Record<string, string> = {
    "workflow.name": WORKFLOW,
    "pod.name": `${WORKFLOW}-${template.name}-1`,
    "workflow.creationTimestamp": CREATED,
    ...Object.fromEntries(
      Object.entries(parameters).map(([name, value]) => [`inputs.parameters.${name}`, value]),
    ),
  };
  const substitute = (part: string) =>
    part.replace(/\{\{([^{}]+)\}\}/g, (whole, name: string) => variables[name] ?? whole);
  const spec = template.container!;
  return runToEnd(docker, {
    Image: spec.image,
    Entrypoint: spec.command.map(substitute),
    Cmd: spec.args.map(substitute),
    Env: (spec.env ?? []).map((each) => `${each.name}=${each.value}`),
    HostConfig: { Binds: [`${volume}:/parity-artifacts`] },
  });
}

/** The Workflow's DAG run step by step, each step after those it depends on, as Argo would. */
async function playArgo(workflow: Workflow, volume: string): Promise<Record<string, string>> {
  const templates = new Map(workflow.spec.templates.map((template) => [template.name, template]));
  const workflowParameters = new Map(
    workflow.spec.arguments.parameters.map((each) => [each.name, each.value]),
  );
  const tasks = templates.get(workflow.spec.entrypoint)!.dag!.tasks;
  const done = new Set<string>();
  const outputs: Record<string, string> = {};
  while (done.size < tasks.length) {
    const ready = tasks.find(
      (task) => !done.has(task.name) && (task.dependencies ?? []).every((name) => done.has(name)),
    );
    if (!ready) throw new Error("The Workflow's DAG has a cycle");
    const parameters = Object.fromEntries(
      (ready.arguments?.parameters ?? []).map(({ name, value }) => [
        name,
        value.replace(/^\{\{workflow\.parameters\.(.+)\}\}$/, (_, parameter: string) =>
          workflowParameters.get(parameter)!,
        ),
      ]),
    );
    const result = await runStep(templates.get(ready.template)!, parameters, volume);
    expect(result.status, `${ready.name}: ${result.output}`).toBe(0);
    outputs[ready.name] = result.output;
    done.add(ready.name);
  }
  return outputs;
}

/**
 * What a task left in its outputs folder: its output parameters' values and artifacts' metadata
 * (executor_output.json, less the artifacts' uris, which name where each run keeps them), and files.
 */
async function producedIn(outputsDir: string, files: string[]) {
  const written = JSON.parse(
    await readFile(path.join(outputsDir, "executor_output.json"), "utf8").catch(() => "{}"),
  ) as {
    parameterValues?: Record<string, unknown>;
    artifacts?: Record<string, { artifacts: { metadata?: unknown }[] }>;
  };
  return {
    parameterValues: written.parameterValues,
    metadata: Object.fromEntries(
      Object.entries(written.artifacts ?? {}).map(([name, list]) => [name, list.artifacts[0]?.metadata]),
    ),
    files: await Promise.all(files.map((file) => readFile(path.join(outputsDir, file), "utf8"))),
  };
}

describe("parity pipeline compile --to argo of a pipeline compiled by kfp (Argo played by the test)", () => {
  it(
    "runs each task's own container, resolving KFP's placeholders in its pod, to the outputs of a local run",
    async () => {
      const local = await runCli(
        ["pipeline", "run", "numbers_pipeline.yaml", "-p", "n=4", "-p", `label=${LABEL}`, "--json"],
        { cwd: dir },
      );
      expect(local.code, said(local)).toBe(0);
      const localRun = lastJson<PipelineJson>(local);
      const localOutputs = (step: string) =>
        path.join(dir, ".parity", "runs", stepOf(localRun, step).runId!, "outputs");

      const compiled = await runCli(
        ["pipeline", "compile", "numbers_pipeline.yaml", "--to", "argo", "-o", "numbers.argo.yaml"],
        { cwd: dir },
      );
      expect(compiled.code, said(compiled)).toBe(0);
      expect(compiled.err).toContain("Wrote numbers.argo.yaml (an Argo Workflow).");
      // Every image the steps run in is named, and the container component's need of python3 said.
      expect(said(compiled)).toMatch(
        /The steps name parity\/[\w-]+:\w+, parity-test\/kfp-python:1, parity\/[\w-]+:\w+, which only this machine's/,
      );
      expect(said(compiled)).toContain(
        "the image of the container component report needs python3 on its PATH.",
      );
      const workflow = load(await readFile(path.join(dir, "numbers.argo.yaml"), "utf8")) as Workflow;
      expect(workflow.spec.arguments.parameters).toEqual([
        { name: "label", value: "sum" },
        { name: "n", value: "5" },
      ]);
      // Given as `argo submit -p` gives them.
      workflow.spec.arguments.parameters = [
        { name: "label", value: LABEL },
        { name: "n", value: "4" },
      ];

      const volume = await mkdtemp(path.join(tmpdir(), "parity-argo-volume-"));
      try {
        // The pods' user is the image's, not this machine's.
        await chmod(volume, 0o777);
        const logs = await playArgo(workflow, volume);
        const onVolume = (step: string) => path.join(volume, WORKFLOW, step);
        expect(logs.make).toContain("made 4 numbers");
        expect(logs.total).toContain("six 1.16.0: sum 6 times 8");
        expect(logs.report).toContain(`total-${LABEL} 48`);

        expect(await producedIn(onVolume("make"), ["data"])).toEqual(
          await producedIn(localOutputs("make"), ["data"]),
        );
        const total = await producedIn(onVolume("total"), []);
        expect(total).toEqual(await producedIn(localOutputs("total"), []));
        expect(total).toMatchObject({ parameterValues: { Output: 48 }, metadata: { metrics: { count: 4 } } });
        const report = await producedIn(onVolume("report"), ["note"]);
        expect(report).toEqual(await producedIn(localOutputs("report"), ["note"]));
        expect(report.files).toEqual([`total-${LABEL}=48`]);
      } finally {
        await rm(volume, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );

  it("still refuses --to kfp of a pipeline compiled by kfp", async () => {
    const again = await runCli(["pipeline", "compile", "numbers_pipeline.yaml", "--to", "kfp"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(said(again)).toContain("is a pipeline compiled by kfp already.");
  });
});
