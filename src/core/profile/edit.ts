import { load } from "js-yaml";
import type { Toleration } from "./types";

/** A change a fix makes to parity.yaml. */
export type ProfileChange =
  /** A scalar at a block-mapping path: ["resources", "gpu"] = 8. */
  | { kind: "set"; path: readonly string[]; value: string | number }
  /** Tolerations added to cluster.tolerations (those already there are kept once). */
  | { kind: "addTolerations"; tolerations: readonly Toleration[] };

export type ProfileEditResult = { ok: true; text: string } | { ok: false; reason: string };

/** The parity.yaml lines of these changes, as a person would paste them. */
export function profileChangesYaml(changes: readonly ProfileChange[]): string {
  let text = "";
  for (const change of changes) {
    const lines = new Lines(text);
    lines.apply(change);
    text = lines.toString();
  }
  return text.trimEnd();
}

/**
 * parity.yaml with `changes` made, everything else as it was written (comments, order, quoting):
 * lines are inserted or one value replaced, never the document re-rendered. Refused, with the
 * reason, where the file writes a part in flow style (`resources: { gpu: 1 }`) or the result would
 * not read back as exactly the change.
 */
export function applyProfileChanges(text: string, changes: readonly ProfileChange[]): ProfileEditResult {
  let before: unknown;
  try {
    before = load(text) ?? {};
  } catch {
    return {
      ok: false,
      reason: "parity.yaml is not valid YAML now; fix it first, then apply the fix again.",
    };
  }
  const lines = new Lines(text);
  try {
    for (const change of changes) lines.apply(change);
  } catch (error) {
    if (error instanceof EditRefused) return { ok: false, reason: error.message };
    throw error;
  }
  const after = lines.toString();
  let read: unknown;
  try {
    read = load(after);
  } catch {
    return {
      ok: false,
      reason: "Parity could not make this change safely; add the lines to parity.yaml by hand.",
    };
  }
  const expected = changes.reduce(expectedAfter, structuredClone(before) as Record<string, unknown>);
  if (JSON.stringify(read) !== JSON.stringify(expected)) {
    return {
      ok: false,
      reason: "Parity could not make this change safely; add the lines to parity.yaml by hand.",
    };
  }
  return { ok: true, text: after };
}

class EditRefused extends Error {}

/** What the document reads as once `change` is made: the check of the text edit. */
function expectedAfter(document: Record<string, unknown>, change: ProfileChange): Record<string, unknown> {
  if (change.kind === "set") {
    let node = document;
    for (const key of change.path.slice(0, -1)) {
      if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[change.path.at(-1)!] = change.value;
    return document;
  }
  if (typeof document.cluster !== "object" || document.cluster === null) document.cluster = {};
  const cluster = document.cluster as Record<string, unknown>;
  const list = Array.isArray(cluster.tolerations) ? (cluster.tolerations as unknown[]) : [];
  cluster.tolerations = [...list, ...newTolerations(list, change.tolerations).map(tolerationObject)];
  return document;
}

function newTolerations(existing: readonly unknown[], wanted: readonly Toleration[]): Toleration[] {
  const have = new Set(existing.map((item) => JSON.stringify(item)));
  return wanted.filter((toleration) => !have.has(JSON.stringify(tolerationObject(toleration))));
}

/** A toleration as the YAML below reads back: the fields it has, in this order. */
function tolerationObject(toleration: Toleration): Record<string, unknown> {
  return {
    ...(toleration.key !== undefined ? { key: toleration.key } : {}),
    ...(toleration.operator !== undefined ? { operator: toleration.operator } : {}),
    ...(toleration.value !== undefined ? { value: toleration.value } : {}),
    ...(toleration.effect !== undefined ? { effect: toleration.effect } : {}),
  };
}

function tolerationLines(toleration: Toleration, indent: string): string[] {
  const fields = Object.entries(tolerationObject(toleration)).map(
    ([key, value]) => `${key}: ${key === "value" ? JSON.stringify(value) : String(value)}`,
  );
  return fields.map((field, index) => `${indent}${index === 0 ? "- " : "  "}${field}`);
}

interface Entry {
  /** Index of the key's line. */
  line: number;
  indent: number;
  /** What follows "key:" on its line, comment excluded. */
  value: string;
  /** The last line of the entry's block (its own line when it has no block). */
  end: number;
}

const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

/** parity.yaml as lines, edited in place. */
class Lines {
  private readonly lines: string[];
  private readonly trailingNewline: boolean;

  constructor(text: string) {
    this.trailingNewline = text === "" || text.endsWith("\n");
    this.lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  }

  toString(): string {
    return this.lines.join("\n") + (this.trailingNewline && this.lines.length > 0 ? "\n" : "");
  }

  apply(change: ProfileChange): void {
    if (change.kind === "set") this.set(change.path, change.value);
    else this.addTolerations(change.tolerations);
  }

  private set(path: readonly string[], value: string | number): void {
    const parent = this.mapping(path.slice(0, -1));
    const key = path.at(-1)!;
    const entry = this.child(parent, key);
    const written = typeof value === "number" ? String(value) : JSON.stringify(value);
    if (!entry) {
      this.lines.splice(this.endOf(parent) + 1, 0, `${this.childIndent(parent)}${key}: ${written}`);
      return;
    }
    if (entry.end !== entry.line)
      throw new EditRefused(`${path.join(".")} is not a single value in parity.yaml.`);
    const line = this.lines[entry.line]!;
    const comment = /\s+#.*$/.exec(line.slice(line.indexOf(":") + 1))?.[0] ?? "";
    this.lines[entry.line] = `${" ".repeat(entry.indent)}${key}: ${written}${comment}`;
  }

  private addTolerations(tolerations: readonly Toleration[]): void {
    const cluster = this.mapping(["cluster"]);
    const entry = this.child(cluster, "tolerations");
    const indent = this.childIndent(cluster);
    if (!entry) {
      const items = tolerations.flatMap((toleration) => tolerationLines(toleration, `${indent}  `));
      this.lines.splice(this.endOf(cluster) + 1, 0, `${indent}tolerations:`, ...items);
      return;
    }
    if (entry.value === "[]") {
      const items = tolerations.flatMap((toleration) => tolerationLines(toleration, `${indent}  `));
      this.lines.splice(entry.line, 1, `${indent}tolerations:`, ...items);
      return;
    }
    if (entry.value !== "") throw new EditRefused(flowStyle("cluster.tolerations"));
    const first = this.lines
      .slice(entry.line + 1, entry.end + 1)
      .find((line) => !BLANK_OR_COMMENT.test(line));
    const itemIndent = first ? (/^\s*/.exec(first)?.[0] ?? "") : `${indent}  `;
    const existing = load(
      this.lines
        .slice(entry.line, entry.end + 1)
        .map((line) => line.slice(entry.indent))
        .join("\n"),
    ) as {
      tolerations?: unknown[];
    } | null;
    const items = newTolerations(existing?.tolerations ?? [], tolerations).flatMap((toleration) =>
      tolerationLines(toleration, itemIndent),
    );
    this.lines.splice(entry.end + 1, 0, ...items);
  }

  /** The block mapping at `path`, made (at the end of its parent) where it is missing. */
  private mapping(path: readonly string[]): Entry | undefined {
    for (let depth = 1; depth <= path.length; depth++) {
      const parent = this.resolve(path.slice(0, depth - 1));
      const key = path[depth - 1]!;
      const entry = this.child(parent, key);
      if (!entry) {
        const at = parent ? this.endOf(parent) + 1 : this.lastContentLine() + 1;
        this.lines.splice(at, 0, `${this.childIndent(parent)}${key}:`);
      } else if (entry.value !== "") {
        throw new EditRefused(flowStyle(path.slice(0, depth).join(".")));
      }
    }
    return this.resolve(path);
  }

  /** The entry at `path` as the lines are now (ends move as lines are inserted). */
  private resolve(path: readonly string[]): Entry | undefined {
    let entry: Entry | undefined;
    for (const key of path) {
      entry = this.child(entry, key);
      if (!entry) throw new EditRefused(`Parity could not find ${path.join(".")} in parity.yaml.`);
    }
    return entry;
  }

  /** The entry `key` directly below `parent` (the document's top level when undefined). */
  private child(parent: Entry | undefined, key: string): Entry | undefined {
    const from = parent ? parent.line + 1 : 0;
    const to = parent ? parent.end : this.lines.length - 1;
    const indent = parent ? this.firstIndentBelow(parent) : 0;
    if (indent === undefined) return undefined;
    for (let index = from; index <= to; index++) {
      const line = this.lines[index]!;
      if (BLANK_OR_COMMENT.test(line) || indentOf(line) !== indent) continue;
      const match = /^\s*([^\s#:][^:#]*?)\s*:(?:\s+(.*?))?\s*(?:\s#.*)?$/.exec(line);
      if (match?.[1] !== key) continue;
      return { line: index, indent, value: (match[2] ?? "").trim(), end: this.blockEnd(index, indent) };
    }
    return undefined;
  }

  /** The last line that belongs to the entry on `line` (deeper lines, blank lines between them). */
  private blockEnd(line: number, indent: number): number {
    let end = line;
    for (let index = line + 1; index < this.lines.length; index++) {
      const text = this.lines[index]!;
      if (BLANK_OR_COMMENT.test(text)) continue;
      const deeper = indentOf(text) > indent || (indentOf(text) === indent && /^\s*- /.test(text));
      if (!deeper) break;
      end = index;
    }
    return end;
  }

  private endOf(entry: Entry | undefined): number {
    return entry ? entry.end : this.lastContentLine();
  }

  private lastContentLine(): number {
    for (let index = this.lines.length - 1; index >= 0; index--)
      if (!BLANK_OR_COMMENT.test(this.lines[index]!)) return index;
    return this.lines.length - 1;
  }

  private firstIndentBelow(parent: Entry): number | undefined {
    for (let index = parent.line + 1; index <= parent.end; index++) {
      const line = this.lines[index]!;
      if (!BLANK_OR_COMMENT.test(line)) return indentOf(line);
    }
    return undefined;
  }

  private childIndent(parent: Entry | undefined): string {
    if (!parent) return "";
    return " ".repeat(this.firstIndentBelow(parent) ?? parent.indent + 2);
  }
}

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}

function flowStyle(field: string): string {
  return `parity.yaml writes ${field} in flow style ({ ... } or [ ... ]); add the lines to it by hand.`;
}
