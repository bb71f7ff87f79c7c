import type { V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { buildWorkload } from "../../../src/core/manifests";
import { collectParameters } from "../../../src/core/notebook/parameters";
import { katibExperiment } from "../../../src/core/tuning/katibManifest";
import { readExperiment } from "../../../src/core/tuning/experiment";

const FILE = "/work/train/experiment.yaml";

const parameters = collectParameters({
  kind: "code",
  index: 1,
  tags: ["parameters"],
  lines: ["lr = 0.1", "layers = 2", 'optimizer = "sgd"', "activation = None", "batch = 32"],
} as never);

function experimentWith(extra: string) {
  const text = `objective:
  type: maximize
  objectiveMetricName: accuracy
algorithm:
  algorithmName: random
parallelTrialCount: 2
maxTrialCount: 4
parameters:
  - name: lr
    parameterType: double
    feasibleSpace:
      min: "0.01"
      max: "0.1"
  - name: optimizer
    parameterType: categorical
    feasibleSpace:
      list: ["sgd", "adam"]
${extra}`;
  return readExperiment(text, FILE, { parameters });
}

const job = buildWorkload({
  name: "train",
  namespace: "team",
  image: "registry.example/team/train:1",
  command: ["python", "/opt/parity/job/train.parity.py"],
  env: { MODE: "x", PARITY_PARAMETERS: '{"batch": 64}' },
  workingDir: "/workspace",
  limits: {
    memoryBytes: 128 * 1024 * 1024,
    nanoCpus: 5e8,
    gpu: 0,
    shmBytes: 64 * 1024 * 1024,
  },
  profileName: "train",
  notebook: "train.ipynb",
  cluster: {} as never,
});

const generate = (extra = "") =>
  katibExperiment({
    experiment: experimentWith(extra),
    name: "train-tune",
    namespace: "team",
    job,
    parameters,
    fixed: ['"batch":64'],
    labels: { "app.kubernetes.io/managed-by": "parity" },
  }) as unknown as {
    spec: { trialTemplate: { trialSpec: V1Job; primaryContainerName: string; successCondition: string } };
  };

const parametersOf = (experiment: ReturnType<typeof generate>) =>
  experiment.spec.trialTemplate.trialSpec.spec!.template.spec!.containers[0]!.env!.filter(
    (each) => each.name === "PARITY_PARAMETERS",
  );

describe("katibExperiment", () => {
  it("puts numbers bare and words quoted into the trial's parameters, beside the fixed values, once", () => {
    const experiment = generate();
    const [variable, ...more] = parametersOf(experiment);
    expect(more).toHaveLength(0);
    expect(variable!.value).toBe(
      '{"batch":64,"lr":${trialParameters.lr},"optimizer":"${trialParameters.optimizer}"}',
    );
    expect(experiment.spec.trialTemplate.primaryContainerName).toBe("main");
    expect(experiment.spec.trialTemplate.successCondition).toContain('type=="Complete"');
    expect(experiment.spec.trialTemplate.trialSpec.metadata?.name).toBeUndefined();
    expect(experiment.spec.trialTemplate.trialSpec.metadata?.namespace).toBeUndefined();
  });

  it("carries numeric choices bare, and refuses choices of mixed kinds for a parameter whose default is not text", () => {
    const numeric = generate(`  - name: layers
    parameterType: discrete
    feasibleSpace:
      list: ["1", "2", "4"]`);
    expect(parametersOf(numeric)[0]!.value).toContain('"layers":${trialParameters.layers}');
    let error: unknown;
    try {
      generate(`  - name: activation
    parameterType: categorical
    feasibleSpace:
      list: ["relu", "None"]`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ParityError);
    expect((error as ParityError).message).toContain("activation");
    expect((error as ParityError).location?.line).toBe(21);
  });

  it("refuses a choice with a quote, which Katib would put into the JSON as it is", () => {
    expect(() =>
      generate(`  - name: activation
    parameterType: categorical
    feasibleSpace:
      list: ['say "hi"', "relu"]`),
    ).toThrow(/quote/);
  });
});
