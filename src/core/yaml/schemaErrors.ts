import type { ErrorObject } from "ajv";
import { ParityError } from "../errors";
import type { FieldPath, YamlLocator } from "./locator";
import { closestMatch } from "./suggest";

/** One schema violation, phrased for a person, at the field it concerns. */
export interface SchemaProblem {
  path: FieldPath;
  message: string;
  fix?: string;
}

type JsonSchema = Record<string, unknown>;

export interface DescribeOptions {
  /** The schema the errors came from; used to say where a misplaced field belongs. */
  rootSchema: JsonSchema;
  /** Lets a caller phrase some errors better (e.g. Kubernetes quantities); undefined keeps the default. */
  rewrite?: (error: ErrorObject, path: FieldPath, locator: YamlLocator) => SchemaProblem | undefined;
}

/**
 * Turns ajv's errors (compiled with `allErrors` and `verbose`) into one problem per mistake:
 * unknown keys with "did you mean", wrong types with the YAML trap that caused them, and no noise
 * from `if` or from the losing branches of `anyOf` / `oneOf`.
 */
export function describeSchemaErrors(
  errors: readonly ErrorObject[],
  data: unknown,
  locator: YamlLocator,
  options: DescribeOptions,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of withoutBranchNoise(errors)) {
    const path = toFieldPath(error.instancePath, data);
    const problem = options.rewrite?.(error, path, locator) ?? describeError(error, path, locator, options);
    if (!problem) continue;
    const key = `${formatFieldPath(problem.path)}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

/** Problems as one ParityError whose details carry file, field and line, sorted by line. */
export function schemaProblemsError(
  code: string,
  summary: string,
  problems: readonly SchemaProblem[],
  file: string,
  locator: YamlLocator,
): ParityError {
  const details = problems
    .map(
      (problem) =>
        new ParityError(code, problem.message, {
          fix: problem.fix,
          location: { file, field: formatFieldPath(problem.path), line: locator.lineOf(problem.path) },
        }),
    )
    .sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
  const first = details[0]?.location;
  const fixes = details
    .filter((detail) => detail.fix)
    .map((detail) => `${detail.location?.field}: ${detail.fix}`);
  return new ParityError(code, summary, {
    details,
    location: details.length === 1 ? first : { file, line: first?.line },
    fix: fixes.length > 0 ? fixes.join("\n") : undefined,
  });
}

/** "resources.memory", "cluster.tolerations[1].key", 'env["MY VAR"]'. */
export function formatFieldPath(path: FieldPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** JSON pointer to path segments; indexes become numbers only where the data holds an array. */
export function toFieldPath(pointer: string, data: unknown): FieldPath {
  if (pointer === "") return [];
  const path: Array<string | number> = [];
  let current = data;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = isRecord(current) ? current[segment] : undefined;
    }
  }
  return path;
}

function withoutBranchNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const branches = errors.filter((error) => error.keyword === "anyOf" || error.keyword === "oneOf");
  return errors.filter((error) => {
    if (error.keyword === "if" || error.keyword === "propertyNames") return false;
    const branch = branches.find(
      (candidate) => candidate !== error && error.schemaPath.startsWith(`${candidate.schemaPath}/`),
    );
    if (branch) return error.instancePath !== branch.instancePath;
    if (error.keyword === "anyOf" || error.keyword === "oneOf") {
      // A deeper error inside a branch is more precise than "must match a schema in anyOf".
      return !errors.some(
        (other) =>
          other.schemaPath.startsWith(`${error.schemaPath}/`) && other.instancePath !== error.instancePath,
      );
    }
    return true;
  });
}

function describeError(
  error: ErrorObject,
  path: FieldPath,
  locator: YamlLocator,
  options: DescribeOptions,
): SchemaProblem {
  const schema = error.parentSchema ?? {};
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    const hint = typeof schema.patternErrorMessage === "string" ? ` ${schema.patternErrorMessage}` : "";
    return { path: [...path, error.propertyName], message: `Invalid name "${error.propertyName}".${hint}` };
  }
  switch (error.keyword) {
    case "required": {
      const missing = String(params.missingProperty);
      const example = exampleOf(propertySchema(schema, missing));
      return {
        path: [...path, missing],
        message: `Missing required field "${missing}".`,
        fix: example === undefined ? undefined : `Add "${missing}: ${example}".`,
      };
    }
    case "additionalProperties": {
      const unknown = String(params.additionalProperty);
      return {
        path: [...path, unknown],
        message: `Unknown field "${unknown}".`,
        fix: unknownKeyFix(unknown, schema, options),
      };
    }
    case "type":
      return describeTypeError(path, String(params.type), error.data, locator);
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof error.data === "string" ? closestMatch(error.data, allowed) : undefined;
      return {
        path,
        message: `${JSON.stringify(error.data)} is not one of: ${allowed.join(", ")}.`,
        fix: guess ? `Did you mean "${guess}"?` : undefined,
      };
    }
    case "const":
      return {
        path,
        message: `Must be ${JSON.stringify(params.allowedValue)}, found ${JSON.stringify(error.data)}.`,
        fix: `Write ${JSON.stringify(params.allowedValue)}.`,
      };
    case "pattern": {
      const hint = typeof schema.patternErrorMessage === "string" ? schema.patternErrorMessage : undefined;
      return {
        path,
        message: `${JSON.stringify(error.data)} is not valid${hint ? `: ${hint}` : ` (expected ${String(params.pattern)}).`}`,
      };
    }
    case "minimum":
    case "maximum":
      return {
        path,
        message: `Must be ${error.keyword === "minimum" ? "at least" : "at most"} ${String(params.limit)}, found ${String(error.data)}.`,
      };
    default:
      return { path, message: sentence(error.message ?? `Fails the "${error.keyword}" rule.`) };
  }
}

function describeTypeError(
  path: FieldPath,
  expected: string,
  value: unknown,
  locator: YamlLocator,
): SchemaProblem {
  const found = describeValue(value);
  const message = `Expected ${expected.split(",").map(article).join(" or ")}, found ${found}.`;
  if (expected.includes("string") && (typeof value === "number" || typeof value === "boolean")) {
    const source = locator.scalarSource(path) ?? String(value);
    const trap = source === String(value) ? "" : ` Unquoted, YAML reads ${source} as ${found}.`;
    return { path, message, fix: `Put it in quotes: "${source}".${trap}` };
  }
  if (expected === "array" && value !== null && typeof value !== "object") {
    return { path, message, fix: `Write a list: [${locator.scalarSource(path) ?? String(value)}].` };
  }
  return { path, message };
}

function unknownKeyFix(unknown: string, schema: JsonSchema, options: DescribeOptions): string | undefined {
  const known = Object.keys(isRecord(schema.properties) ? schema.properties : {});
  const guess = closestMatch(unknown, known);
  if (guess) return `Did you mean "${guess}"?`;
  const elsewhere = findProperty(options.rootSchema, options.rootSchema, unknown, [], 0);
  if (elsewhere) return `"${unknown}" belongs elsewhere: write it as ${elsewhere}.`;
  return known.length > 0 ? `Known fields here: ${known.join(", ")}.` : undefined;
}

/** Where else in the schema a property of that name is defined, as a field path ("resources.memory"). */
function findProperty(
  root: JsonSchema,
  schema: JsonSchema,
  name: string,
  at: string[],
  depth: number,
): string | undefined {
  if (depth > 8) return undefined;
  const resolved = resolveRef(root, schema);
  const properties = isRecord(resolved.properties) ? resolved.properties : {};
  if (at.length > 0 && name in properties) return [...at, name].join(".");
  for (const [key, value] of Object.entries(properties)) {
    if (!isRecord(value)) continue;
    const found = findProperty(root, value, name, [...at, key], depth + 1);
    if (found) return found;
  }
  const items = resolved.items;
  if (isRecord(items) && at.length > 0) {
    return findProperty(root, items, name, [...at.slice(0, -1), `${at.at(-1)}[]`], depth + 1);
  }
  return undefined;
}

function resolveRef(root: JsonSchema, schema: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = isRecord(target) ? target[part] : undefined;
  return isRecord(target) ? target : schema;
}

function propertySchema(schema: JsonSchema, name: string): JsonSchema {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const property = properties[name];
  return isRecord(property) ? property : {};
}

function exampleOf(schema: JsonSchema): string | undefined {
  if (schema.const !== undefined) return String(schema.const);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return String(schema.examples[0]);
  return undefined;
}

function describeValue(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "text",
    integer: "a whole number",
    number: "a number",
    boolean: "true or false",
    null: "nothing",
  };
  return names[type] ?? type;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${trimmed.endsWith(".") ? "" : "."}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
