import { closestMatch } from "../yaml";
import { FieldReader, label, type Fields, type SpecPath } from "./specFields";
import type { Distribution, FeasibleSpace, ParameterType, SearchParameter } from "./types";

/**
 * An experiment's parameters and their feasible spaces, checked as Katib's webhook checks them
 * (validator.go's validateParameters), plus what Katib accepts but no search can use: numbers that
 * are not numbers, a range running backwards, a step of 0, an empty list, a name used twice.
 */

const PARAMETER_TYPES: ParameterType[] = ["double", "int", "discrete", "categorical"];
const DISTRIBUTIONS: Distribution[] = ["uniform", "logUniform", "normal", "logNormal"];
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

export function readParameters(spec: Fields, reader: FieldReader): SearchParameter[] {
  const items = reader.list(spec, "parameters", []);
  if (items?.length === 0 || spec.parameters === undefined || spec.parameters === null) {
    reader.problem(
      ["parameters"],
      "The experiment has no parameters to search.",
      "Add parameters: a list of the notebook's parameters to tune, each with name, parameterType and feasibleSpace.",
    );
  }
  const seen = new Set<string>();
  return (items ?? []).flatMap((item, index) => {
    const at: SpecPath = ["parameters", index];
    const fields = reader.mapping(item, at);
    if (!fields) return [];
    reader.known(fields, ["name", "parameterType", "feasibleSpace"], at);
    const name = reader.text(fields, "name", at) ?? "";
    if (name === "") {
      reader.problem(
        [...at, "name"],
        `${label(at)} has no name.`,
        "Name the notebook parameter it sets, e.g. name: learning_rate.",
      );
    } else if (seen.has(name)) {
      reader.problem(
        [...at, "name"],
        `Two parameters are named ${name}.`,
        "Give each parameter its own name: each sets one notebook parameter.",
      );
    }
    seen.add(name);
    const type = reader.text(fields, "parameterType", at) ?? "";
    if (!PARAMETER_TYPES.includes(type as ParameterType)) {
      const guess = type === "" ? undefined : closestMatch(type, PARAMETER_TYPES);
      reader.problem(
        [...at, "parameterType"],
        type === ""
          ? `The parameter ${name} has no parameterType.`
          : `The parameter ${name} has parameterType "${type}", which Katib does not know.`,
        `${guess ? `Did you mean ${guess}? ` : ""}Write parameterType: double, int, discrete (numbers from a list) or categorical (text from a list).`,
      );
      return [];
    }
    const parameterType = type as ParameterType;
    return [
      { name, parameterType, feasibleSpace: readFeasibleSpace(fields, parameterType, name, at, reader) },
    ];
  });
}

function readFeasibleSpace(
  parameter: Fields,
  type: ParameterType,
  name: string,
  parameterPath: SpecPath,
  reader: FieldReader,
): FeasibleSpace {
  const path = [...parameterPath, "feasibleSpace"];
  const fields = reader.mapping(parameter.feasibleSpace, path) ?? {};
  const ranged = type === "double" || type === "int";
  if (Object.keys(fields).length === 0) {
    reader.problem(
      path,
      `The parameter ${name} has no feasibleSpace.`,
      ranged
        ? `Give its range, e.g. feasibleSpace: {min: "0.01", max: "0.1"}.`
        : `List its values, e.g. feasibleSpace: {list: ["adam", "sgd"]}.`,
    );
    return { distribution: "uniform" };
  }
  reader.known(fields, ["min", "max", "step", "list", "distribution"], path);
  const [min, max, step] = (["min", "max", "step"] as const).map(
    (key) => reader.text(fields, key, path) || undefined,
  );
  const list = reader.texts(fields, "list", path);
  const distribution = reader.text(fields, "distribution", path) || "uniform";
  if (!DISTRIBUTIONS.includes(distribution as Distribution)) {
    reader.problem(
      [...path, "distribution"],
      `The distribution of ${name} is "${distribution}", which Katib does not know.`,
      "Write distribution: uniform, logUniform, normal or logNormal.",
    );
  }
  const space: FeasibleSpace = {
    ...(min !== undefined && { min }),
    ...(max !== undefined && { max }),
    ...(step !== undefined && { step }),
    ...(list !== undefined && { list }),
    distribution: distribution as Distribution,
  };
  if (ranged) checkRange(space, fields, type, name, path, reader);
  else checkList(space, type, name, path, reader);
  return space;
}

function checkRange(
  space: FeasibleSpace,
  written: Fields,
  type: ParameterType,
  name: string,
  path: SpecPath,
  reader: FieldReader,
): void {
  const example =
    type === "int" ? { min: "1", max: "10", step: "1" } : { min: "0.01", max: "0.1", step: "0.01" };
  if (space.list && space.list.length > 0) {
    reader.problem(
      [...path, "list"],
      `A ${type} parameter takes a range, not a list, so ${name}'s list would be refused by Katib.`,
      "Use parameterType: discrete (numbers) or categorical (text) for a list of values, or give min and max instead.",
    );
  }
  // A bound written as something other than text is already a problem of its own.
  const missing = (["min", "max"] as const).find(
    (key) => written[key] === undefined || written[key] === null || written[key] === "",
  );
  if (missing) {
    reader.problem(
      [...path, missing],
      `The ${type} parameter ${name} needs both min and max.`,
      `Give its range, e.g. min: "${example.min}" and max: "${example.max}".`,
    );
  }
  const pattern = type === "int" ? INTEGER : DECIMAL;
  const numbers = (["min", "max", "step"] as const).map((key) => {
    const value = space[key];
    if (value === undefined) return undefined;
    if (pattern.test(value)) return Number(value);
    reader.problem(
      [...path, key],
      type === "int" && DECIMAL.test(value)
        ? `${key} of ${name} is "${value}"; an int parameter takes whole numbers.`
        : `${key} of ${name} is "${value}", not a number.`,
      `Write ${type === "int" ? "a whole number" : "a number"} as text, e.g. ${key}: "${example[key]}".`,
    );
    return undefined;
  });
  const [min, max, step] = numbers;
  if (min !== undefined && max !== undefined && min > max) {
    reader.problem(
      [...path, "max"],
      `The range of ${name} runs from ${space.min} down to ${space.max}: min is greater than max.`,
      `Swap them: min: "${space.max}", max: "${space.min}".`,
    );
  }
  if (step !== undefined && step <= 0) {
    reader.problem(
      [...path, "step"],
      `The step of ${name} is ${space.step}; it must be greater than 0.`,
      `Give a positive step, e.g. step: "${example.step}", or remove step to search the whole range.`,
    );
  }
  if (
    min !== undefined &&
    min <= 0 &&
    (space.distribution === "logUniform" || space.distribution === "logNormal")
  ) {
    reader.problem(
      [...path, "min"],
      `${name} has distribution ${space.distribution}, but its min is ${space.min}; a log scale needs values above 0.`,
      `Raise min above 0, e.g. min: "${type === "int" ? 1 : 0.0001}", or use distribution: uniform.`,
    );
  }
}

function checkList(
  space: FeasibleSpace,
  type: ParameterType,
  name: string,
  path: SpecPath,
  reader: FieldReader,
): void {
  if (space.min !== undefined || space.max !== undefined || space.step !== undefined) {
    reader.problem(
      path,
      `A ${type} parameter takes a list, so ${name}'s min, max and step would be refused by Katib.`,
      "Remove min, max and step; list the values under list.",
    );
  }
  if (!space.list || space.list.length === 0) {
    reader.problem(
      [...path, "list"],
      `The ${type} parameter ${name} has no values to try.`,
      type === "discrete"
        ? 'List the numbers to try, e.g. list: ["16", "32", "64"].'
        : 'List the values to try, e.g. list: ["adam", "sgd"].',
    );
    return;
  }
  if (type !== "discrete") return;
  space.list.forEach((value, index) => {
    if (DECIMAL.test(value)) return;
    reader.problem(
      [...path, "list", index],
      `The discrete parameter ${name} lists "${value}", which is not a number.`,
      "A discrete parameter takes numbers; use parameterType: categorical for text values.",
    );
  });
}
