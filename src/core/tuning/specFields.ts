import { closestMatch, formatFieldPath } from "../yaml";
import type { NameValue } from "./types";

/** A path inside the experiment's spec, e.g. ["parameters", 0, "feasibleSpace", "min"]. */
export type SpecPath = (string | number)[];

export interface SpecProblem {
  path: SpecPath;
  message: string;
  fix: string;
}

export type Fields = Record<string, unknown>;

/**
 * Reads a spec's fields the way Katib's webhook decodes them into Go types: text stays text (a
 * YAML number where Katib wants text is an error, as `json.Unmarshal` makes it), counts are whole
 * numbers, null is absent. Every problem is noted at its path; reading goes on past it.
 */
export class FieldReader {
  readonly problems: SpecProblem[] = [];

  /** `source` gives a scalar as written (`0.010`), for fixes that quote it. */
  constructor(private readonly source: (path: SpecPath) => string | undefined) {}

  problem(path: SpecPath, message: string, fix: string): void {
    this.problems.push({ path, message, fix });
  }

  /** Fields under `path`; undefined (noted unless absent) when the value is not a mapping. */
  mapping(value: unknown, path: SpecPath): Fields | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "object" && !Array.isArray(value)) return value as Fields;
    this.problem(
      path,
      `${label(path)} is ${describe(value)}, where Katib expects a mapping of fields.`,
      `Write the fields of ${label(path)} indented under it.`,
    );
    return undefined;
  }

  /** Notes each key Katib does not know: it would ignore it, so a misspelt field silently does nothing. */
  known(fields: Fields, keys: readonly string[], path: SpecPath): void {
    for (const key of Object.keys(fields)) {
      if (keys.includes(key)) continue;
      const guess = closestMatch(key, keys);
      this.problem(
        [...path, key],
        `${label([...path, key])} is not a field Katib knows; it would ignore it.`,
        guess ? `Did you mean ${guess}?` : `Remove it; the fields here are ${keys.join(", ")}.`,
      );
    }
  }

  text(fields: Fields | undefined, key: string, path: SpecPath): string | undefined {
    return this.textAt(fields?.[key], [...path, key]);
  }

  /** A value Katib reads as text, at `at` (a field or a list's item). */
  textAt(value: unknown, at: SpecPath): string | undefined {
    if (value === undefined || value === null || typeof value === "string") return value ?? undefined;
    const written = this.source(at) ?? String(value);
    const last = at[at.length - 1];
    const quoted = typeof last === "number" ? `- "${written}"` : `${last}: "${written}"`;
    this.problem(
      at,
      `${shortLabel(at)} is ${describe(value)}, but Katib reads it as text and would reject the experiment.`,
      typeof value === "object" ? `Write one value as text there.` : `Quote it: ${quoted}.`,
    );
    return undefined;
  }

  /** A count (Go's int32); `least` is the smallest Katib allows. */
  count(fields: Fields, key: string, path: SpecPath, least: number, fix: string): number | undefined {
    const value = fields[key];
    if (value === undefined || value === null) return undefined;
    const at = [...path, key];
    if (typeof value !== "number" || !Number.isInteger(value) || value > 2 ** 31 - 1) {
      this.problem(at, `${label(at)} is ${describe(value)}; it must be a whole number.`, fix);
      return undefined;
    }
    if (value < least) {
      const bound = least === 0 ? "0 or more" : `greater than ${least - 1}`;
      this.problem(at, `${label(at)} is ${value}; Katib requires ${bound}.`, fix);
      return undefined;
    }
    return value;
  }

  number(fields: Fields, key: string, path: SpecPath, fix: string): number | undefined {
    const value = fields[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" && Number.isFinite(value)) return value;
    const at = [...path, key];
    this.problem(at, `${label(at)} is ${describe(value)}; Katib reads it as a number.`, fix);
    return undefined;
  }

  list(fields: Fields | undefined, key: string, path: SpecPath): unknown[] | undefined {
    const value = fields?.[key];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    const at = [...path, key];
    this.problem(
      at,
      `${label(at)} is ${describe(value)}, where Katib expects a list.`,
      `Write ${key} as a list, one "- " item per line.`,
    );
    return undefined;
  }

  /** A list of text, each item checked as text. */
  texts(fields: Fields | undefined, key: string, path: SpecPath): string[] | undefined {
    const items = this.list(fields, key, path);
    if (!items) return undefined;
    return items.flatMap((item, index) => this.textAt(item, [...path, key, index]) ?? []);
  }

  /** Katib's name/value settings (algorithmSettings), values as text. */
  nameValues(fields: Fields | undefined, key: string, path: SpecPath): NameValue[] {
    const items = this.list(fields, key, path) ?? [];
    return items.flatMap((item, index) => {
      const at = [...path, key, index];
      const setting = this.mapping(item, at);
      if (!setting) return [];
      this.known(setting, ["name", "value"], at);
      const name = this.text(setting, "name", at);
      const value = this.text(setting, "value", at);
      if (!name) {
        this.problem(
          [...at, "name"],
          `${label(at)} has no name.`,
          'Give each setting a name and a value, e.g. - name: random_state\n  value: "10".',
        );
        return [];
      }
      return [{ name, value: value ?? "" }];
    });
  }
}

/** "parameters[0].feasibleSpace.min" */
export function label(path: SpecPath): string {
  return path.length === 0 ? "spec" : formatFieldPath(path);
}

/** The field's own name, "min" or "list[2]": the location names the rest. */
function shortLabel(path: SpecPath): string {
  const last = path.length - 1;
  return typeof path[last] === "number" ? label(path.slice(last - 1)) : String(path[last] ?? "spec");
}

export function describe(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return `${value}`;
  if (Array.isArray(value)) return "a list";
  if (value === null || value === undefined) return "empty";
  return "a mapping";
}
