import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import type { Parameter } from "../../../src/core/notebook/types";
import { nameFromFile, readExperiment } from "../../../src/core/tuning/experiment";
import { DEFAULT_METRICS_FILTER } from "../../../src/core/tuning/metricFilters";

const FILE = "/work/digits/tune-lr.yaml";

/** A whole Katib manifest, in the shape of Katib's examples/v1beta1/hp-tuning/random.yaml. */
const MANIFEST = `---
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  namespace: kubeflow
  name: digits-lr
spec:
  objective:
    type: maximize
    goal: 0.98
    objectiveMetricName: accuracy
    additionalMetricNames:
      - loss
  algorithm:
    algorithmName: tpe
  parallelTrialCount: 2
  maxTrialCount: 10
  maxFailedTrialCount: 2
  parameters:
    - name: learning_rate
      parameterType: double
      feasibleSpace:
        min: "0.001"
        max: "0.1"
    - name: epochs
      parameterType: int
      feasibleSpace:
        min: "1"
        max: "5"
    - name: optimizer
      parameterType: categorical
      feasibleSpace:
        list:
          - adam
          - sgd
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: learningRate
        reference: learning_rate
    trialSpec:
      apiVersion: batch/v1
      kind: Job
`;

/** Only the spec, as parity.yaml's tuning: or a file of its own holds it. */
const SPEC = `objective:
  type: minimize
  objectiveMetricName: loss
algorithm:
  algorithmName: random
parameters:
  - name: learning_rate
    parameterType: double
    feasibleSpace:
      min: "0.01"
      max: "0.05"
`;

function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split("\n");
  const index = lines.findIndex((line, at) => at >= from && line.includes(needle));
  if (index < 0) throw new Error(`no line has ${needle}`);
  return index + 1;
}

function errorOf(text: string, options: Parameters<typeof readExperiment>[2] = {}, file = FILE): ParityError {
  try {
    readExperiment(text, file, options);
  } catch (error) {
    if (error instanceof ParityError) return error;
    throw error;
  }
  throw new Error("expected readExperiment to throw");
}

/** Each problem as "line field: message", with its fix; one problem is its own headline. */
function problemsOf(text: string, options: Parameters<typeof readExperiment>[2] = {}) {
  const error = errorOf(text, options);
  expect(error.code).toBe("ExperimentInvalid");
  const all = error.details.length > 0 ? error.details : [error];
  for (const problem of all) {
    expect(problem.location?.file).toBe(FILE);
    expect(problem.fix, problem.message).toBeTruthy();
  }
  return all.map((problem) => ({
    at: `${problem.location?.line} ${problem.location?.field}`,
    message: problem.message,
    fix: problem.fix ?? "",
  }));
}

/** The only problem of a spec, with its line and field. */
function onlyProblem(text: string, options: Parameters<typeof readExperiment>[2] = {}) {
  const problems = problemsOf(text, options);
  expect(problems.map((problem) => problem.message)).toHaveLength(1);
  return problems[0]!;
}

function notebookParameter(name: string, line: number): Parameter {
  return { name, defaultSource: "0", kind: "int", cell: 2, line };
}

describe("readExperiment: a whole Katib manifest", () => {
  const experiment = readExperiment(MANIFEST, FILE);

  it("takes its name from metadata.name", () => {
    expect(experiment.name).toBe("digits-lr");
    expect(experiment.file).toBe(FILE);
  });

  it("fills in Katib's defaults: each metric's strategy by the objective's direction, StdOut and its filter", () => {
    expect(experiment.spec.objective).toEqual({
      type: "maximize",
      goal: 0.98,
      objectiveMetricName: "accuracy",
      additionalMetricNames: ["loss"],
      // Katib's setDefaultObjective gives additional metrics the objective's direction, not latest.
      metricStrategies: [
        { name: "accuracy", value: "max" },
        { name: "loss", value: "max" },
      ],
    });
    expect(experiment.spec.metricsCollector).toEqual({ kind: "StdOut", filters: [DEFAULT_METRICS_FILTER] });
    expect(experiment.spec).toMatchObject({
      parallelTrialCount: 2,
      maxTrialCount: 10,
      maxFailedTrialCount: 2,
    });
    expect(experiment.spec.earlyStopping).toBeUndefined();
  });

  it("keeps feasible spaces as text and gives every parameter Katib's uniform distribution", () => {
    expect(experiment.spec.parameters).toEqual([
      {
        name: "learning_rate",
        parameterType: "double",
        feasibleSpace: { min: "0.001", max: "0.1", distribution: "uniform" },
      },
      {
        name: "epochs",
        parameterType: "int",
        feasibleSpace: { min: "1", max: "5", distribution: "uniform" },
      },
      {
        name: "optimizer",
        parameterType: "categorical",
        feasibleSpace: { list: ["adam", "sgd"], distribution: "uniform" },
      },
    ]);
    expect(experiment.spec.algorithm).toEqual({ algorithmName: "tpe", algorithmSettings: [] });
  });

  it("answers lineOf for paths inside the spec", () => {
    expect(experiment.lineOf(["parameters", 0, "feasibleSpace", "min"])).toBe(
      lineOf(MANIFEST, 'min: "0.001"'),
    );
    expect(experiment.lineOf(["objective", "objectiveMetricName"])).toBe(
      lineOf(MANIFEST, "objectiveMetricName"),
    );
    expect(experiment.lineOf([])).toBe(lineOf(MANIFEST, "spec:"));
  });

  it("keeps strategies written in the spec and defaults only the others", () => {
    const text = MANIFEST.replace(
      "    additionalMetricNames:\n      - loss\n",
      "    additionalMetricNames:\n      - loss\n      - f1\n    metricStrategies:\n      - name: loss\n        value: latest\n",
    );
    expect(readExperiment(text, FILE).spec.objective.metricStrategies).toEqual([
      { name: "loss", value: "latest" },
      { name: "accuracy", value: "max" },
      { name: "f1", value: "max" },
    ]);
  });
});

describe("readExperiment: a spec alone", () => {
  it("is named after its file, made into a name Katib accepts", () => {
    expect(readExperiment(SPEC, FILE).name).toBe("tune-lr");
    expect(nameFromFile("/x/My Experiment_v2.yaml")).toBe("my-experiment-v2");
    expect(nameFromFile("/x/2024 sweep.yml")).toBe("experiment-2024-sweep");
    expect(nameFromFile(`/x/${"a".repeat(50)}.yaml`)).toHaveLength(40);
  });

  it("defaults parallelTrialCount to 3, no trial or failure bound, minimize by min", () => {
    const { spec } = readExperiment(SPEC, FILE);
    expect(spec.parallelTrialCount).toBe(3);
    expect(spec.maxTrialCount).toBeUndefined();
    expect(spec.maxFailedTrialCount).toBeUndefined();
    expect(spec.objective.metricStrategies).toEqual([{ name: "loss", value: "min" }]);
  });

  it("reads medianstop with its settings", () => {
    const text = `${SPEC}earlyStopping:\n  algorithmName: medianstop\n  algorithmSettings:\n    - name: min_trials_required\n      value: "2"\n`;
    expect(readExperiment(text, FILE).spec.earlyStopping).toEqual({
      algorithmName: "medianstop",
      algorithmSettings: [{ name: "min_trials_required", value: "2" }],
    });
  });
});

describe("readExperiment: inside parity.yaml", () => {
  const PARITY = `python: "3.11"
resources:
  memory: 4Gi
tuning:
  objective:
    type: maximize
    objectiveMetricName: accuracy
  algorithm:
    algorithmName: random
  parameters:
    - name: learning_rate
      parameterType: double
      feasibleSpace:
        min: "0.1"
        max: "0.01"
`;
  const PROFILE = "/work/digits/parity.yaml";

  it("answers lineOf with the file's own lines", () => {
    const text = PARITY.replace('min: "0.1"\n        max: "0.01"', 'min: "0.01"\n        max: "0.1"');
    const experiment = readExperiment(text, PROFILE, { path: ["tuning"] });
    expect(experiment.name).toBe("parity");
    expect(experiment.lineOf(["parameters", 0, "name"])).toBe(lineOf(text, "- name: learning_rate"));
  });

  it("reports problems at the file's lines, with the field's whole path", () => {
    const error = errorOf(PARITY, { path: ["tuning"] }, PROFILE);
    expect(error.location).toEqual({
      file: PROFILE,
      line: lineOf(PARITY, 'max: "0.01"'),
      field: "tuning.parameters[0].feasibleSpace.max",
    });
  });

  it("reads a whole manifest under tuning:", () => {
    const text = `python: "3.11"\ntuning:\n${MANIFEST.replace("---\n", "")
      .split("\n")
      .map((line) => (line ? `  ${line}` : line))
      .join("\n")}`;
    const experiment = readExperiment(text, PROFILE, { path: ["tuning"] });
    expect(experiment.name).toBe("digits-lr");
    expect(experiment.lineOf(["algorithm", "algorithmName"])).toBe(lineOf(text, "algorithmName: tpe"));
  });

  it("says when the file has no tuning:", () => {
    const error = errorOf('python: "3.11"\n', { path: ["tuning"] }, PROFILE);
    expect(error.message).toBe("parity.yaml has no tuning.");
    expect(error.fix).toContain("Katib Experiment's spec");
  });
});

describe("readExperiment: the notebook's parameters", () => {
  it("accepts search parameters the notebook's parameters cell sets", () => {
    const parameters = [notebookParameter("learning_rate", 1), notebookParameter("epochs", 2)];
    expect(readExperiment(SPEC, FILE, { parameters }).spec.parameters).toHaveLength(1);
  });

  it("names the experiment's line and lists the notebook's parameters for one it does not have", () => {
    const problem = onlyProblem(SPEC, {
      parameters: [notebookParameter("lr", 1), notebookParameter("epochs", 2)],
    });
    expect(problem).toEqual({
      at: `${lineOf(SPEC, "- name: learning_rate")} parameters[0].name`,
      message: "The notebook has no parameter learning_rate; its parameters are lr, epochs.",
      fix: "Use one of lr, epochs, or add learning_rate to the parameters cell.",
    });
  });

  it("says to tag a parameters cell when the notebook has none", () => {
    const problem = onlyProblem(SPEC, { parameters: [] });
    expect(problem.message).toBe(
      "The notebook has no parameters cell, so it has no parameter learning_rate to tune.",
    );
    expect(problem.fix).toContain("tag parameters");
  });
});

/** SPEC with one part replaced; the problem is then expected at `needle`'s line. */
function variant(search: string, replace: string): string {
  if (!SPEC.includes(search)) throw new Error(`SPEC has no ${search}`);
  return SPEC.replace(search, replace);
}

describe("readExperiment: Katib's checks, each at its line", () => {
  it.each([
    [
      "an unknown algorithm, with the known ones",
      "algorithmName: random",
      "algorithmName: randm",
      "algorithmName",
      'Katib has no algorithm "randm".',
      "Did you mean random? Parity runs random, tpe, grid, multivariate-tpe, bayesianoptimization, cmaes, sobol.",
    ],
    [
      "a Katib algorithm Parity does not run",
      "algorithmName: random",
      "algorithmName: hyperband",
      "algorithmName",
      "Katib's hyperband algorithm is not one Parity runs locally.",
      "Use one of random, tpe",
    ],
    [
      "an unknown objective type",
      "type: minimize",
      "type: minimise",
      "type: minimise",
      'The objective\'s type is "minimise"; Katib knows maximize and minimize.',
      "Did you mean minimize?",
    ],
    [
      "an absent objective type",
      "  type: minimize\n",
      "",
      "objective:",
      "The objective has no type.",
      "type: maximize",
    ],
    [
      "a missing objectiveMetricName",
      "  objectiveMetricName: loss\n",
      "",
      "objective:",
      "The objective has no objectiveMetricName.",
      "objectiveMetricName: accuracy",
    ],
    [
      "an unknown parameter type",
      "parameterType: double",
      "parameterType: float",
      "parameterType",
      'The parameter learning_rate has parameterType "float", which Katib does not know.',
      "double, int, discrete",
    ],
    [
      "min greater than max",
      'max: "0.05"',
      'max: "0.001"',
      "max:",
      "The range of learning_rate runs from 0.01 down to 0.001: min is greater than max.",
      'Swap them: min: "0.001", max: "0.01".',
    ],
    [
      "a min that is not a number",
      'min: "0.01"',
      'min: "small"',
      "min:",
      'min of learning_rate is "small", not a number.',
      'e.g. min: "0.01"',
    ],
    [
      "a step of 0",
      'max: "0.05"',
      'max: "0.05"\n      step: "0"',
      "step:",
      "The step of learning_rate is 0; it must be greater than 0.",
      "positive step",
    ],
    [
      "a log scale from 0",
      'min: "0.01"',
      'min: "0"\n      distribution: logUniform',
      "min:",
      "learning_rate has distribution logUniform, but its min is 0; a log scale needs values above 0.",
      "Raise min above 0",
    ],
    [
      "an unknown distribution",
      'min: "0.01"',
      'min: "0.01"\n      distribution: gaussian',
      "distribution",
      'The distribution of learning_rate is "gaussian", which Katib does not know.',
      "uniform, logUniform",
    ],
    [
      "a YAML number where Katib wants text",
      'min: "0.01"',
      "min: 0.010",
      "min:",
      "min is the number 0.01, but Katib reads it as text and would reject the experiment.",
      'Quote it: min: "0.010".',
    ],
    [
      "a misspelt spec field",
      "algorithm:",
      "maxTrialCounts: 5\nalgorithm:",
      "maxTrialCounts",
      "maxTrialCounts is not a field Katib knows; it would ignore it.",
      "Did you mean maxTrialCount?",
    ],
    [
      "parallelTrialCount above maxTrialCount",
      "algorithm:",
      "parallelTrialCount: 4\nmaxTrialCount: 2\nalgorithm:",
      "parallelTrialCount",
      "parallelTrialCount (4) is more than maxTrialCount (2); Katib requires it to be no more.",
      "Set parallelTrialCount: 2 (or less).",
    ],
    [
      "maxTrialCount below the default parallelTrialCount",
      "algorithm:",
      "maxTrialCount: 2\nalgorithm:",
      "maxTrialCount",
      "maxTrialCount is 2, less than Katib's default parallelTrialCount of 3, so Katib would refuse the experiment.",
      "Set parallelTrialCount: 2 (or less).",
    ],
    [
      "a parallelTrialCount of 0",
      "algorithm:",
      "parallelTrialCount: 0\nalgorithm:",
      "parallelTrialCount",
      "parallelTrialCount is 0; Katib requires greater than 0.",
      "e.g. 3",
    ],
    [
      "a maxTrialCount that is not whole",
      "algorithm:",
      "maxTrialCount: 7.5\nalgorithm:",
      "maxTrialCount",
      "maxTrialCount is the number 7.5; it must be a whole number.",
      "e.g. 12",
    ],
    [
      "a negative maxFailedTrialCount",
      "algorithm:",
      "maxFailedTrialCount: -1\nalgorithm:",
      "maxFailedTrialCount",
      "maxFailedTrialCount is -1; Katib requires 0 or more.",
      "e.g. 3",
    ],
    [
      "maxFailedTrialCount above maxTrialCount",
      "algorithm:",
      "parallelTrialCount: 1\nmaxTrialCount: 2\nmaxFailedTrialCount: 3\nalgorithm:",
      "maxFailedTrialCount",
      "maxFailedTrialCount (3) is more than maxTrialCount (2); Katib requires it to be no more.",
      "Lower maxFailedTrialCount to 2 or less.",
    ],
    [
      "early stopping other than medianstop",
      "algorithm:",
      "earlyStopping:\n  algorithmName: hyperband\nalgorithm:",
      "algorithmName: hyperband",
      'Katib has no early-stopping algorithm "hyperband"; its one is medianstop.',
      "algorithmName: medianstop",
    ],
    [
      "a medianstop start_step of 0",
      "algorithm:",
      'earlyStopping:\n  algorithmName: medianstop\n  algorithmSettings:\n    - name: start_step\n      value: "0"\nalgorithm:',
      'value: "0"',
      'medianstop\'s start_step is "0"; it must be a whole number of at least 1.',
      'value: "4"',
    ],
    [
      "an unknown medianstop setting",
      "algorithm:",
      'earlyStopping:\n  algorithmName: medianstop\n  algorithmSettings:\n    - name: patience\n      value: "2"\nalgorithm:',
      "name: patience",
      "medianstop has no setting patience.",
      "min_trials_required (default 3) and start_step (default 4)",
    ],
    [
      "a metric the default filter can never read",
      "objectiveMetricName: loss",
      "objectiveMetricName: val.loss",
      "objectiveMetricName",
      'Katib\'s default filter reads names made of letters, digits, "_", "-" and "|", so it can never read val.loss.',
      "val_loss",
    ],
    [
      "the objective among the additional metrics",
      "objectiveMetricName: loss",
      "objectiveMetricName: loss\n  additionalMetricNames: [accuracy, loss]",
      "additionalMetricNames",
      "loss is the objective's metric, so it cannot be an additional metric too.",
      "Remove loss from additionalMetricNames.",
    ],
    [
      "an unknown metricStrategy",
      "objectiveMetricName: loss",
      "objectiveMetricName: loss\n  metricStrategies:\n    - name: loss\n      value: best",
      "value: best",
      'The metricStrategy of loss is "best"; Katib knows min, max and latest.',
      "min, max or latest",
    ],
  ])("%s", (_, search, replace, needle, message, fix) => {
    const text = variant(search, replace);
    const problem = onlyProblem(text);
    expect(problem.message).toBe(message);
    expect(problem.fix).toContain(fix);
    expect(problem.at.split(" ")[0]).toBe(String(lineOf(text, needle)));
  });

  it("reports every problem at once, sorted by line", () => {
    const text = variant("algorithmName: random", "algorithmName: randm").replace('max: "0.05"', 'max: "x"');
    expect(problemsOf(text).map((problem) => problem.at)).toEqual([
      `${lineOf(text, "algorithmName")} algorithm.algorithmName`,
      `${lineOf(text, 'max: "x"')} parameters[0].feasibleSpace.max`,
    ]);
  });

  it("requires an objective, an algorithm and parameters", () => {
    expect(problemsOf("parallelTrialCount: 2\n").map((problem) => problem.message)).toEqual([
      "The experiment has no objective.",
      "The experiment has no algorithm.",
      "The experiment has no parameters to search.",
    ]);
  });
});

describe("readExperiment: parameters", () => {
  const parameters = (items: string) => variant(SPEC.slice(SPEC.indexOf("  - name: learning_rate")), items);

  it("takes whole numbers for an int parameter", () => {
    const text = parameters(
      `  - name: epochs\n    parameterType: int\n    feasibleSpace:\n      min: "1.5"\n      max: "5"\n`,
    );
    expect(onlyProblem(text)).toMatchObject({
      at: `${lineOf(text, "min:")} parameters[0].feasibleSpace.min`,
      message: 'min of epochs is "1.5"; an int parameter takes whole numbers.',
    });
  });

  it("finds a parameter named twice", () => {
    const item = `  - name: lr\n    parameterType: double\n    feasibleSpace: {min: "0.1", max: "0.2"}\n`;
    const text = parameters(item + item);
    expect(onlyProblem(text)).toEqual({
      at: `${lineOf(text, "- name: lr", lineOf(text, "- name: lr"))} parameters[1].name`,
      message: "Two parameters are named lr.",
      fix: "Give each parameter its own name: each sets one notebook parameter.",
    });
  });

  it("needs values in a categorical or discrete list", () => {
    const text = parameters(
      `  - name: optimizer\n    parameterType: categorical\n    feasibleSpace:\n      list: []\n`,
    );
    expect(onlyProblem(text)).toMatchObject({
      at: `${lineOf(text, "list: []")} parameters[0].feasibleSpace.list`,
      message: "The categorical parameter optimizer has no values to try.",
    });
  });

  it("needs numbers in a discrete list, as text", () => {
    const text = parameters(
      `  - name: batch_size\n    parameterType: discrete\n    feasibleSpace:\n      list: ["16", big, 64]\n`,
    );
    expect(problemsOf(text).map((problem) => problem.message)).toEqual([
      "list[2] is the number 64, but Katib reads it as text and would reject the experiment.",
      'The discrete parameter batch_size lists "big", which is not a number.',
    ]);
  });

  it("refuses a range for a list parameter and a list for a range parameter, as Katib does", () => {
    const text = parameters(
      `  - name: optimizer\n    parameterType: categorical\n    feasibleSpace: {min: "1", list: [adam]}\n  - name: lr\n    parameterType: double\n    feasibleSpace: {min: "0.1", max: "0.2", list: ["0.1"]}\n`,
    );
    expect(problemsOf(text).map((problem) => problem.message)).toEqual([
      "A categorical parameter takes a list, so optimizer's min, max and step would be refused by Katib.",
      "A double parameter takes a range, not a list, so lr's list would be refused by Katib.",
    ]);
  });

  it("needs both ends of a range", () => {
    const text = parameters(
      `  - name: lr\n    parameterType: double\n    feasibleSpace:\n      min: "0.1"\n`,
    );
    expect(onlyProblem(text)).toMatchObject({
      at: `${lineOf(text, "feasibleSpace:")} parameters[0].feasibleSpace.max`,
      message: "The double parameter lr needs both min and max.",
    });
  });
});

describe("readExperiment: metrics collectors", () => {
  const collector = (text: string) => `${SPEC}metricsCollectorSpec:\n${text}`;

  it("defaults the File collector to Katib's file and the TEXT format with the default filter", () => {
    const spec = readExperiment(collector("  collector:\n    kind: File\n"), FILE).spec;
    expect(spec.metricsCollector).toEqual({
      kind: "File",
      path: "/var/log/katib/metrics.log",
      format: "TEXT",
      filters: [DEFAULT_METRICS_FILTER],
    });
  });

  it("reads a JSON file collector, as in Katib's file-metrics-collector-with-json-format.yaml", () => {
    const text = collector(
      "  source:\n    fileSystemPath:\n      path: /katib/digits.json\n      kind: File\n      format: JSON\n  collector:\n    kind: File\n",
    );
    expect(readExperiment(text, FILE).spec.metricsCollector).toEqual({
      kind: "File",
      path: "/katib/digits.json",
      format: "JSON",
      filters: [],
    });
  });

  it("keeps a custom filter, as in Katib's file-metrics-collector.yaml", () => {
    const filter = String.raw`{metricName: ([\w|-]+), metricValue: ((-?\d+)(\.\d+)?)}`;
    const text = collector(
      `  source:\n    filter:\n      metricsFormat:\n        - ${JSON.stringify(filter)}\n`,
    );
    expect(readExperiment(text, FILE).spec.metricsCollector).toEqual({ kind: "StdOut", filters: [filter] });
  });

  it.each([
    [
      "a kind Katib has and Parity does not run",
      "  collector:\n    kind: TensorFlowEvent\n",
      "kind:",
      "Katib's TensorFlowEvent metrics collector is not one Parity runs locally.",
      "Use StdOut",
    ],
    [
      "an unknown kind",
      "  collector:\n    kind: Stdout\n",
      "kind:",
      'Katib has no metrics collector "Stdout".',
      "Katib also has TensorFlowEvent, PrometheusMetric, Custom, Push, which Parity does not run locally",
    ],
    [
      "a collector without a kind",
      "  collector: {}\n",
      "collector:",
      "metricsCollectorSpec.collector has no kind.",
      "kind: StdOut",
    ],
    [
      "a relative metrics file",
      "  source:\n    fileSystemPath:\n      path: metrics.log\n  collector:\n    kind: File\n",
      "path:",
      "The metrics file metrics.log is a relative path; Katib requires an absolute path in the trial's container.",
      'path: "/katib/metrics.log"',
    ],
    [
      "an unknown file format",
      "  source:\n    fileSystemPath:\n      format: CSV\n  collector:\n    kind: File\n",
      "format:",
      'The metrics file\'s format is "CSV"; Katib reads TEXT and JSON.',
      "format: TEXT",
    ],
    [
      "a filter on a JSON file",
      "  source:\n    filter:\n      metricsFormat: ['(\\w+)=(\\d+)']\n    fileSystemPath:\n      format: JSON\n  collector:\n    kind: File\n",
      "filter:",
      "A JSON metrics file takes no filter: Katib reads each metric under its name.",
      "Remove source.filter",
    ],
    [
      "a filter JavaScript cannot compile",
      "  source:\n    filter:\n      metricsFormat: ['(?P<name>\\w+)=(\\d+)']\n",
      "metricsFormat",
      "The filter (?P<name>\\w+)=(\\d+) is not a regular expression Parity can read",
      "(?<name>...)",
    ],
    [
      "a filter Go refuses",
      "  source:\n    filter:\n      metricsFormat: ['(\\w+)=(\\d+)(?=\\s)']\n",
      "metricsFormat",
      "uses a look-ahead or look-behind, which Go's regular expressions (Katib's) do not support",
      "no back-references",
    ],
    [
      "a filter with one group",
      "  source:\n    filter:\n      metricsFormat: ['accuracy=(\\d+)']\n",
      "metricsFormat",
      "has fewer than two groups",
      "e.g. ([\\w-]+)",
    ],
  ])("%s", (_, body, needle, message, fix) => {
    const text = collector(body);
    const problem = onlyProblem(text);
    expect(problem.message).toContain(message);
    expect(problem.fix).toContain(fix);
    expect(problem.at.split(" ")[0]).toBe(String(lineOf(text, needle, lineOf(text, "metricsCollectorSpec"))));
  });
});

describe("readExperiment: the manifest around the spec", () => {
  it.each([
    [
      "apiVersion: kubeflow.org/v1beta1",
      "apiVersion: kubeflow.org/v1alpha3",
      "apiVersion",
      "The manifest's apiVersion is \"kubeflow.org/v1alpha3\"; Parity reads Katib's kubeflow.org/v1beta1 Experiments.",
    ],
    ["kind: Experiment", "kind: Trial", "kind:", 'The manifest\'s kind is "Trial", not Experiment.'],
    [
      "name: digits-lr",
      "name: Digits_LR",
      "name: Digits_LR",
      'The experiment\'s name "Digits_LR" is not one Katib accepts.',
    ],
  ])("%s", (search, replace, needle, message) => {
    const text = MANIFEST.replace(search, replace);
    const problem = onlyProblem(text);
    expect(problem.message).toBe(message);
    expect(problem.at.split(" ")[0]).toBe(String(lineOf(text, needle)));
  });

  it("suggests a name Katib accepts", () => {
    expect(onlyProblem(MANIFEST.replace("name: digits-lr", "name: Digits_LR")).fix).toContain(
      "e.g. digits-lr.",
    );
  });

  it("needs a spec", () => {
    const text = "apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata:\n  name: x\n";
    expect(onlyProblem(text)).toMatchObject({ at: "1 spec", message: "The manifest has no spec." });
  });

  it("reports YAML syntax errors at their line, under the same code", () => {
    const error = errorOf("objective:\n  type: [maximize\n");
    expect(error.code).toBe("ExperimentInvalid");
    expect(error.location?.file).toBe(FILE);
    expect(error.location?.line).toBeGreaterThan(1);
  });
});
