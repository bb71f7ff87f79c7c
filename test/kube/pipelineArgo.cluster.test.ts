import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { pipelineStep } from "../helpers/pipeline";
import { writeArgoWorkflow } from "../../src/core/pipeline/argo/write";
import type { Pipeline, PipelineStep } from "../../src/core/pipeline/types";
import { offerVolumes, reportTaskResult } from "../cluster/harness/argoPods";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";

// parity pipeline compile --to argo against the real kube-apiserver holding Argo Workflows' own
// CRD (argo-workflows v3.7.3's full schema, from its Go module zip): a server-side dry run with
// strict field validation accepts the Workflow, and refuses one with a field the schema lacks. Then
// the real workflow-controller (v3.7.3, built from its module) runs it: its pods are created by
// the controller and completed by kwok (nothing runs in them), and this test does what the pods'
// wait containers would do, which kwok cannot: it reports each finished pod's task result.
const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const api = admin.makeApiClient(CustomObjectsApi);
let namespace = "";
const MiB = 1024 * 1024;
const location = { file: "/w/numbers.ipynb" };

beforeAll(async () => {
  namespace = await freshNamespace(admin, "argo");
});

const step = (name: string, over: Partial<PipelineStep> = {}) => pipelineStep(name, location, over);

const pipeline: Pipeline = {
  name: "numbers",
  format: "kale",
  file: location.file,
  parameters: [
    { name: "size", defaultSource: "5", location },
    { name: "label", defaultSource: "'sum'", location },
  ],
  steps: [
    step("load", { outputs: ["numbers"] }),
    step("squares", {
      after: ["load"],
      inputs: [{ name: "numbers", from: "load", output: "numbers" }],
      outputs: ["squares"],
      limits: { memoryBytes: 128 * MiB, gpu: 1 },
      retries: 2,
    }),
    step("report", { after: ["squares"], inputs: [{ name: "squares", from: "squares", output: "squares" }] }),
  ],
};

const compiled = writeArgoWorkflow(pipeline, {
  image: "registry.example/team/numbers:0070bd0ae0be",
  limits: { memoryBytes: 256 * MiB, nanoCpus: 5e8, gpu: 0, shmBytes: 64 * MiB },
  steps: new Map(
    pipeline.steps.map((each) => [
      each.name,
      {
        script: `/opt/parity/job/steps/${each.name}.py`,
        parameterNames: ["size", "label"],
        allParameters: false,
      },
    ]),
  ),
  nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" },
  tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
});

const dryRun = (body: object) =>
  api.createNamespacedCustomObject({
    group: "argoproj.io",
    version: "v1alpha1",
    namespace,
    plural: "workflows",
    body,
    dryRun: "All",
    fieldValidation: "Strict",
  });

describe("an Argo Workflow compiled by Parity", () => {
  it("is accepted by the API server under Argo's own Workflow schema, as written", async () => {
    const created = (await dryRun(compiled.workflow)) as {
      metadata: { name: string };
      spec: typeof compiled.workflow.spec;
    };
    expect(created.metadata.name).toMatch(/^numbers-/);
    // Nothing was pruned: the stored spec is the spec sent.
    expect(created.spec).toEqual(compiled.workflow.spec);
  });

  it("is checked for real: a template field the schema lacks is refused", async () => {
    const spec = compiled.workflow.spec as { templates: Record<string, unknown>[] };
    const wrong = {
      ...compiled.workflow,
      spec: {
        ...spec,
        templates: [{ ...spec.templates[1], memoryLimit: "1Gi" }, ...spec.templates.slice(1)],
      },
    };
    await expect(dryRun(wrong)).rejects.toThrow(
      /strict decoding error: unknown field \W*spec\.templates\[0\]\.memoryLimit/,
    );
  });

  it("gives every step its limits as requests and limits, the profile's placement, its retries and its files on the run's volume", () => {
    // The Workflow as a tree to look into; its shape is what the test checks.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const spec = compiled.workflow.spec as { templates: Record<string, any>[] };
    const squares = spec.templates.find((template) => template.name === "squares")!;
    expect(squares.container.resources).toEqual({
      requests: { memory: "128Mi", cpu: "500m", "nvidia.com/gpu": "1" },
      limits: { memory: "128Mi", cpu: "500m", "nvidia.com/gpu": "1" },
    });
    expect(squares.retryStrategy).toEqual({ limit: "2" });
    expect(squares.nodeSelector).toEqual({ "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" });
    expect(JSON.parse(squares.container.args[1])).toMatchObject({
      parameters: ["size", "label"],
      types: { size: "integer", label: "string" },
      inputs: { numbers: "/parity-artifacts/{{workflow.name}}/load/numbers" },
      files: { squares: "/parity-artifacts/{{workflow.name}}/squares/squares" },
    });
    expect(squares.container.args.slice(2)).toEqual([
      "{{inputs.parameters.size}}",
      "{{inputs.parameters.label}}",
    ]);
    const dag = spec.templates[0]!.dag.tasks as { name: string; dependencies?: string[] }[];
    expect(dag.map((task) => [task.name, task.dependencies ?? []])).toEqual([
      ["load", []],
      ["squares", ["load"]],
      ["report", ["squares"]],
    ]);
  });
});

describe("the real workflow-controller", () => {
  it("runs a Workflow Parity compiled to Succeeded, each step a pod in the order of the DAG", async () => {
    const core = admin.makeApiClient(CoreV1Api);
    // The volume the Workflow claims for its steps' files: kwok provisions nothing, so one waits.
    await offerVolumes(cluster, namespace, 1);
    const runnable = writeArgoWorkflow(
      { ...pipeline, steps: pipeline.steps.map((each) => ({ ...each, limits: {} })) },
      {
        image: "registry.example/team/numbers:0070bd0ae0be",
        limits: { memoryBytes: 256 * MiB, nanoCpus: 5e8, gpu: 0, shmBytes: 64 * MiB },
        steps: new Map(
          pipeline.steps.map((each) => [
            each.name,
            { script: `/opt/parity/job/steps/${each.name}.py`, parameterNames: [], allParameters: false },
          ]),
        ),
        nodeSelector: {},
        tolerations: [],
      },
    ).workflow as { spec: { templates: { metadata?: { labels: Record<string, string> } }[] } };
    // kwok completes the pods this test marks (test/cluster/stages/pod-complete-labelled.yaml).
    for (const template of runnable.spec.templates) {
      if (template.metadata) template.metadata.labels["parity.test/complete"] = "true";
    }
    const created = (await api.createNamespacedCustomObject({
      group: "argoproj.io",
      version: "v1alpha1",
      namespace,
      plural: "workflows",
      body: runnable,
    })) as { metadata: { name: string } };
    const name = created.metadata.name;
    const order: string[] = [];
    const done = await until(
      "the Workflow Succeeded",
      async () => {
        const pods = await core.listNamespacedPod({
          namespace,
          labelSelector: `workflows.argoproj.io/workflow=${name}`,
        });
        for (const pod of pods.items) {
          if (pod.status?.phase !== "Succeeded") continue;
          const step = pod.metadata?.labels?.["parity.dev/step"] ?? "?";
          if (!order.includes(step)) order.push(step);
          await reportTaskResult(cluster, pod);
        }
        const workflow = (await api.getNamespacedCustomObject({
          group: "argoproj.io",
          version: "v1alpha1",
          namespace,
          plural: "workflows",
          name,
        })) as {
          status?: {
            phase?: string;
            nodes?: Record<string, { displayName: string; phase: string; type: string }>;
          };
        };
        return workflow.status?.phase === "Succeeded" ? workflow.status : undefined;
      },
      120_000,
    );
    const pods = Object.values(done.nodes ?? {}).filter((node) => node.type === "Pod");
    expect(pods.map((node) => [node.displayName, node.phase]).sort()).toEqual([
      ["load", "Succeeded"],
      ["report", "Succeeded"],
      // squares may be retried (retryStrategy): Argo names each try's pod node after it.
      ["squares(0)", "Succeeded"],
    ]);
    // load before squares before report: the DAG's dependencies, kept by the controller.
    expect(order).toEqual(["load", "squares", "report"]);
  }, 180_000);
});
