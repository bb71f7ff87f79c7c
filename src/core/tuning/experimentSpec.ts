import { closestMatch } from "../yaml";
import { checkMetricNames, readCollector } from "./collectorSpec";
import { readParameters } from "./searchSpace";
import { FieldReader, label, type Fields, type SpecPath } from "./specFields";
import {
  ALGORITHMS,
  type AlgorithmName,
  type AlgorithmSpec,
  type EarlyStoppingSpec,
  type ExperimentSpec,
  type MetricStrategy,
  type Objective,
} from "./types";

/**
 * An Experiment's spec read as Katib v0.19 reads it: its mutating webhook's defaults
 * (experiment_defaults.go), its validating webhook's checks (validator.go), and Parity's own
 * checks of what Katib would accept but can never work or Parity does not run locally.
 */

/** Katib's spec fields (experiment_types.go); the others Katib ignores. */
const SPEC_FIELDS = [
  "parameters",
  "objective",
  "algorithm",
  "earlyStopping",
  "trialTemplate",
  "parallelTrialCount",
  "maxTrialCount",
  "maxFailedTrialCount",
  "metricsCollectorSpec",
  "nasConfig",
  "resumePolicy",
];

export const DEFAULT_PARALLEL_TRIAL_COUNT = 3;
/** Katib's other suggestion services (katib-config.yaml), which Parity does not run. */
const KATIB_ONLY_ALGORITHMS = ["hyperband", "enas", "darts", "pbt"];
const STRATEGIES: MetricStrategy[] = ["min", "max", "latest"];
/** What medianstop's settings take (Python's int(), as its service.py reads them). */
const PYTHON_INT = /^\s*[+-]?\d+(_\d+)*\s*$/;

export function readSpec(spec: Fields, reader: FieldReader): ExperimentSpec {
  reader.known(spec, SPEC_FIELDS, []);
  if (spec.nasConfig !== undefined && spec.nasConfig !== null) {
    reader.problem(
      ["nasConfig"],
      "The experiment is a neural architecture search (nasConfig), which Parity does not run locally.",
      "Tune hyperparameters with parameters instead, or run this experiment on the cluster.",
    );
  }
  const resumePolicy = reader.text(spec, "resumePolicy", []);
  if (resumePolicy && !["Never", "LongRunning", "FromVolume"].includes(resumePolicy)) {
    reader.problem(
      ["resumePolicy"],
      `resumePolicy "${resumePolicy}" is not one Katib knows.`,
      "Write resumePolicy: Never, LongRunning or FromVolume, or remove it.",
    );
  }
  const objective = readObjective(spec, reader);
  const metricsCollector = readCollector(spec, reader);
  checkMetricNames(objective, metricsCollector, reader);
  const earlyStopping = readEarlyStopping(spec, reader);
  return {
    objective,
    algorithm: readAlgorithm(spec, reader),
    parameters: readParameters(spec, reader),
    ...readCounts(spec, reader),
    ...(earlyStopping && { earlyStopping }),
    metricsCollector,
  };
}

function readObjective(spec: Fields, reader: FieldReader): Objective {
  const path: SpecPath = ["objective"];
  const fields = reader.mapping(spec.objective, path);
  if (!fields) {
    if (spec.objective === undefined || spec.objective === null) {
      reader.problem(
        path,
        "The experiment has no objective.",
        "Add objective: with type (maximize or minimize) and objectiveMetricName, the metric the notebook reports.",
      );
    }
    return { type: "maximize", objectiveMetricName: "", additionalMetricNames: [], metricStrategies: [] };
  }
  reader.known(
    fields,
    ["type", "goal", "objectiveMetricName", "additionalMetricNames", "metricStrategies"],
    path,
  );
  const type = reader.text(fields, "type", path);
  if (type === undefined || type === "") {
    reader.problem(
      [...path, "type"],
      "The objective has no type.",
      "Add type: maximize (higher is better, e.g. accuracy) or type: minimize (lower is better, e.g. loss).",
    );
  } else if (type !== "maximize" && type !== "minimize") {
    const guess = closestMatch(type, ["maximize", "minimize"]);
    reader.problem(
      [...path, "type"],
      `The objective's type is "${type}"; Katib knows maximize and minimize.`,
      guess ? `Did you mean ${guess}?` : "Write type: maximize or type: minimize.",
    );
  }
  const goal = reader.number(fields, "goal", path, "Write the goal as a number, e.g. goal: 0.99.");
  const name = reader.text(fields, "objectiveMetricName", path) ?? "";
  if (name === "") {
    reader.problem(
      [...path, "objectiveMetricName"],
      "The objective has no objectiveMetricName.",
      "Name the metric the notebook reports, e.g. objectiveMetricName: accuracy for lines such as accuracy=0.91.",
    );
  }
  const additional = reader.texts(fields, "additionalMetricNames", path) ?? [];
  additional.forEach((metric, index) => {
    const at = [...path, "additionalMetricNames", index];
    if (metric === name && name !== "") {
      reader.problem(
        at,
        `${name} is the objective's metric, so it cannot be an additional metric too.`,
        `Remove ${name} from additionalMetricNames.`,
      );
    } else if (additional.indexOf(metric) < index) {
      reader.problem(
        at,
        `${metric} is listed twice in additionalMetricNames.`,
        "List each additional metric once.",
      );
    }
  });
  const objectiveType = type === "minimize" ? "minimize" : "maximize";
  const written = readStrategies(fields, reader, path);
  return {
    type: objectiveType,
    ...(goal !== undefined && { goal }),
    objectiveMetricName: name,
    additionalMetricNames: additional,
    metricStrategies: defaultStrategies(written, name, additional, objectiveType),
  };
}

function readStrategies(fields: Fields, reader: FieldReader, path: SpecPath): Objective["metricStrategies"] {
  return (reader.list(fields, "metricStrategies", path) ?? []).flatMap((item, index) => {
    const at = [...path, "metricStrategies", index];
    const strategy = reader.mapping(item, at);
    if (!strategy) return [];
    reader.known(strategy, ["name", "value"], at);
    const name = reader.text(strategy, "name", at);
    const value = reader.text(strategy, "value", at);
    if (!name) {
      reader.problem(
        [...at, "name"],
        `${label(at)} names no metric.`,
        "Give the metric's name, e.g. name: loss.",
      );
      return [];
    }
    if (!STRATEGIES.includes(value as MetricStrategy)) {
      reader.problem(
        [...at, "value"],
        `The metricStrategy of ${name} is ${value === undefined ? "missing" : `"${value}"`}; Katib knows min, max and latest.`,
        "Write value: min, max or latest.",
      );
      return [];
    }
    return [{ name, value: value as MetricStrategy }];
  });
}

/**
 * Katib's defaults (setDefaultObjective): a metric without a strategy takes the objective's
 * direction, min for minimize and max for maximize, the additional metrics included, despite
 * Katib's comment that they default to latest.
 */
function defaultStrategies(
  written: Objective["metricStrategies"],
  objectiveName: string,
  additional: string[],
  type: Objective["type"],
): Objective["metricStrategies"] {
  const direction: MetricStrategy = type === "minimize" ? "min" : "max";
  const strategies = [...written];
  if (!written.some((strategy) => strategy.name === objectiveName))
    strategies.push({ name: objectiveName, value: direction });
  for (const metric of additional) {
    if (!written.some((strategy) => strategy.name === metric))
      strategies.push({ name: metric, value: direction });
  }
  return strategies;
}

function readAlgorithm(spec: Fields, reader: FieldReader): AlgorithmSpec {
  const path: SpecPath = ["algorithm"];
  const fields = reader.mapping(spec.algorithm, path);
  const known = ALGORITHMS.join(", ");
  if (!fields) {
    if (spec.algorithm === undefined || spec.algorithm === null) {
      reader.problem(
        path,
        "The experiment has no algorithm.",
        `Add algorithm: with algorithmName: random (or one of ${known}).`,
      );
    }
    return { algorithmName: "random", algorithmSettings: [] };
  }
  reader.known(fields, ["algorithmName", "algorithmSettings"], path);
  const name = reader.text(fields, "algorithmName", path) ?? "";
  const at = [...path, "algorithmName"];
  if (name === "") {
    reader.problem(
      at,
      "The algorithm has no algorithmName.",
      `Write algorithmName: random (or one of ${known}).`,
    );
  } else if (KATIB_ONLY_ALGORITHMS.includes(name)) {
    reader.problem(
      at,
      `Katib's ${name} algorithm is not one Parity runs locally.`,
      `Use one of ${known} to tune locally, or run this experiment on the cluster.`,
    );
  } else if (!(ALGORITHMS as readonly string[]).includes(name)) {
    const guess = closestMatch(name, [...ALGORITHMS, ...KATIB_ONLY_ALGORITHMS]);
    reader.problem(
      at,
      `Katib has no algorithm "${name}".`,
      `${guess ? `Did you mean ${guess}? ` : ""}Parity runs ${known}.`,
    );
  }
  return {
    algorithmName: name as AlgorithmName,
    algorithmSettings: reader.nameValues(fields, "algorithmSettings", path),
  };
}

function readEarlyStopping(spec: Fields, reader: FieldReader): EarlyStoppingSpec | undefined {
  const path: SpecPath = ["earlyStopping"];
  const fields = reader.mapping(spec.earlyStopping, path);
  if (!fields) return undefined;
  reader.known(fields, ["algorithmName", "algorithmSettings"], path);
  const name = reader.text(fields, "algorithmName", path) ?? "";
  if (name !== "medianstop") {
    reader.problem(
      [...path, "algorithmName"],
      name === ""
        ? "earlyStopping has no algorithmName."
        : `Katib has no early-stopping algorithm "${name}"; its one is medianstop.`,
      "Write algorithmName: medianstop, or remove earlyStopping.",
    );
  }
  const settings = reader.nameValues(fields, "algorithmSettings", path);
  settings.forEach(({ name: setting, value }, index) => {
    const at = [...path, "algorithmSettings", index, "value"];
    // Both settings must be at least 1 (medianstop's validate_medianstop_setting).
    if (setting !== "min_trials_required" && setting !== "start_step") {
      reader.problem(
        [...path, "algorithmSettings", index, "name"],
        `medianstop has no setting ${setting}.`,
        "Its settings are min_trials_required (default 3) and start_step (default 4).",
      );
    } else if (!PYTHON_INT.test(value) || Number(value.replace(/_/g, "")) < 1) {
      reader.problem(
        at,
        `medianstop's ${setting} is "${value}"; it must be a whole number of at least 1.`,
        `Write a whole number as text, e.g. value: "${setting === "start_step" ? 4 : 3}".`,
      );
    }
  });
  return { algorithmName: "medianstop", algorithmSettings: settings };
}

function readCounts(
  spec: Fields,
  reader: FieldReader,
): Pick<ExperimentSpec, "parallelTrialCount" | "maxTrialCount" | "maxFailedTrialCount"> {
  const parallel = reader.count(
    spec,
    "parallelTrialCount",
    [],
    1,
    "Set parallelTrialCount to how many trials may run at once, e.g. 3 (Katib's default).",
  );
  const max = reader.count(
    spec,
    "maxTrialCount",
    [],
    1,
    "Set maxTrialCount to how many trials to run in all, e.g. 12, or remove it to run until the goal is reached.",
  );
  const maxFailed = reader.count(
    spec,
    "maxFailedTrialCount",
    [],
    0,
    "Set maxFailedTrialCount to how many failed trials end the experiment, e.g. 3.",
  );
  if (max !== undefined && maxFailed !== undefined && maxFailed > max) {
    reader.problem(
      ["maxFailedTrialCount"],
      `maxFailedTrialCount (${maxFailed}) is more than maxTrialCount (${max}); Katib requires it to be no more.`,
      `Lower maxFailedTrialCount to ${max} or less.`,
    );
  }
  // Katib checks parallelTrialCount after its default is filled in, so maxTrialCount: 2 alone is refused.
  const written = spec.parallelTrialCount !== undefined && spec.parallelTrialCount !== null;
  const effective = written ? parallel : DEFAULT_PARALLEL_TRIAL_COUNT;
  if (max !== undefined && effective !== undefined && effective > max) {
    reader.problem(
      [written ? "parallelTrialCount" : "maxTrialCount"],
      written
        ? `parallelTrialCount (${effective}) is more than maxTrialCount (${max}); Katib requires it to be no more.`
        : `maxTrialCount is ${max}, less than Katib's default parallelTrialCount of ${DEFAULT_PARALLEL_TRIAL_COUNT}, so Katib would refuse the experiment.`,
      `Set parallelTrialCount: ${max} (or less).`,
    );
  }
  return {
    parallelTrialCount: parallel ?? DEFAULT_PARALLEL_TRIAL_COUNT,
    ...(max !== undefined && { maxTrialCount: max }),
    ...(maxFailed !== undefined && { maxFailedTrialCount: maxFailed }),
  };
}
