import path from "node:path";
import { ParityError } from "../errors";
import type { Parameter } from "../notebook/types";
import {
  formatFieldPath,
  parseYamlDocument,
  schemaProblemsError,
  type SchemaProblem,
  type YamlDocument,
} from "../yaml";
import { readSpec } from "./experimentSpec";
import { describe, FieldReader, type Fields, type SpecPath } from "./specFields";
import type { Experiment } from "./types";

export interface ReadExperimentOptions {
  /**
   * Where the experiment sits inside a larger document, e.g. ["tuning"] in parity.yaml; the text is
   * then that whole document, so that lines are the file's own.
   */
  path?: (string | number)[];
  /** The notebook's parameters cell: every search parameter must set one of them. */
  parameters?: Parameter[];
}

/** Katib's rule for an Experiment's name (validator.go): a DNS label starting with a letter, at most 40. */
const EXPERIMENT_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 40;

/**
 * Reads a Katib v1beta1 Experiment: a whole manifest (apiVersion, kind, metadata, spec) or only its
 * spec, with Katib's defaults filled in. Throws one ParityError ("ExperimentInvalid") listing every
 * problem with its file, field and line, each with a fix.
 */
export function readExperiment(text: string, file: string, options: ReadExperimentOptions = {}): Experiment {
  const base = options.path ?? [];
  const { value, locator } = readDocument(text, file, base.length > 0 ? "file" : "experiment");
  const root = valueAt(value, base);
  if (root === undefined || root === null) {
    throw new ParityError("ExperimentInvalid", `${path.basename(file)} has no ${formatFieldPath(base)}.`, {
      location: { file, line: locator.lineOf(base), field: formatFieldPath(base) },
      fix: `Write the experiment under ${formatFieldPath(base)}: a Katib Experiment's spec (objective, algorithm, parameters, …) or the whole manifest.`,
    });
  }
  const manifest = isManifest(root);
  const specBase = manifest ? [...base, "spec"] : base;
  const reader = new FieldReader((at) => locator.scalarSource([...specBase, ...at]));
  const problems: SchemaProblem[] = manifest ? manifestProblems(root, base) : [];
  const fields = specFields(manifest ? root.spec : root, manifest, reader);
  const spec = fields && readSpec(fields, reader);
  if (spec && options.parameters) checkNotebookParameters(spec.parameters, options.parameters, reader);
  problems.push(...reader.problems.map((problem) => ({ ...problem, path: [...specBase, ...problem.path] })));
  if (!spec || problems.length > 0) {
    const count = problems.length === 1 ? "a problem" : `${problems.length} problems`;
    throw schemaProblemsError("ExperimentInvalid", `The experiment has ${count}.`, problems, file, locator);
  }
  const name =
    manifest && typeof metadataOf(root).name === "string"
      ? String(metadataOf(root).name)
      : nameFromFile(file);
  return { name, file, spec, lineOf: (at) => locator.lineOf([...specBase, ...at]) };
}

/** The YAML reader's errors, under the code every problem of an experiment has. */
function readDocument(text: string, file: string, what: string): YamlDocument {
  try {
    return parseYamlDocument(text, file, what);
  } catch (error) {
    if (!(error instanceof ParityError)) throw error;
    throw new ParityError("ExperimentInvalid", error.message, {
      fix: error.fix,
      location: error.location,
      cause: error,
    });
  }
}

function valueAt(value: unknown, at: (string | number)[]): unknown {
  return at.reduce<unknown>(
    (node, key) => (isRecord(node) || Array.isArray(node) ? (node as Fields)[key] : undefined),
    value,
  );
}

/** A manifest says what it is; a spec starts with its own fields. */
function isManifest(value: unknown): value is Fields {
  return isRecord(value) && ["apiVersion", "kind", "metadata", "spec"].some((key) => key in value);
}

function metadataOf(manifest: Fields): Fields {
  return isRecord(manifest.metadata) ? manifest.metadata : {};
}

function manifestProblems(manifest: Fields, base: SpecPath): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (manifest.apiVersion !== "kubeflow.org/v1beta1") {
    problems.push({
      path: [...base, "apiVersion"],
      message: `The manifest's apiVersion is ${describe(manifest.apiVersion)}; Parity reads Katib's kubeflow.org/v1beta1 Experiments.`,
      fix: "Write apiVersion: kubeflow.org/v1beta1.",
    });
  }
  if (manifest.kind !== "Experiment") {
    problems.push({
      path: [...base, "kind"],
      message: `The manifest's kind is ${describe(manifest.kind)}, not Experiment.`,
      fix: "Write kind: Experiment, or give Parity a Katib Experiment's manifest or spec.",
    });
  }
  const name = metadataOf(manifest).name;
  if (
    name !== undefined &&
    (typeof name !== "string" || !EXPERIMENT_NAME.test(name) || name.length > MAX_NAME)
  ) {
    problems.push({
      path: [...base, "metadata", "name"],
      message: `The experiment's name ${describe(name)} is not one Katib accepts.`,
      fix: `Use lower-case letters, digits and "-", starting with a letter and ending with a letter or digit, at most ${MAX_NAME} characters, e.g. ${toExperimentName(String(name))}.`,
    });
  }
  return problems;
}

function specFields(value: unknown, manifest: boolean, reader: FieldReader): Fields | undefined {
  if (isRecord(value)) return value;
  reader.problem(
    [],
    value === undefined || value === null
      ? "The manifest has no spec."
      : `${manifest ? "The manifest's spec" : "The experiment"} is ${describe(value)}, where Katib expects a mapping of the spec's fields.`,
    "Write the experiment's fields (objective, algorithm, parameters, …) as a mapping" +
      (manifest ? " under spec:." : "."),
  );
  return undefined;
}

/** Each search parameter sets the notebook parameter of its name, so it must be one. */
function checkNotebookParameters(
  searched: { name: string }[],
  notebook: Parameter[],
  reader: FieldReader,
): void {
  const known = notebook.map((parameter) => parameter.name);
  searched.forEach(({ name }, index) => {
    if (name === "" || known.includes(name)) return;
    reader.problem(
      ["parameters", index, "name"],
      known.length === 0
        ? `The notebook has no parameters cell, so it has no parameter ${name} to tune.`
        : `The notebook has no parameter ${name}; its parameters are ${known.join(", ")}.`,
      known.length === 0
        ? "Tag the cell that sets the defaults with the tag parameters (papermill's convention)."
        : `Use one of ${known.join(", ")}, or add ${name} to the parameters cell.`,
    );
  });
}

/** The file's base name made into a name Katib accepts: "Train Model.yaml" is train-model. */
export function nameFromFile(file: string): string {
  return toExperimentName(path.parse(file).name);
}

function toExperimentName(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const named = cleaned === "" ? "experiment" : /^[a-z]/.test(cleaned) ? cleaned : `experiment-${cleaned}`;
  return named.slice(0, MAX_NAME).replace(/-+$/, "");
}

function isRecord(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
