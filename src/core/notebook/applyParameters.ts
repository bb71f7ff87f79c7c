import { scanLine, START, startsStatement, type LexState } from "./lexer";
import { collectParameters, parseParameterOverrides } from "./parameters";
import type { Parameter, ParameterValue } from "./types";

/** A value to write, as `-p name=value` gives it (a trial's assignment). */
export interface ParameterAssignment {
  name: string;
  value: string;
}

export interface AppliedParameters {
  /** The cell's source with the values written. */
  source: string;
  /** The parameters whose value changed, in the order given. */
  changed: string[];
  /** The parameters already set to the value. */
  unchanged: string[];
  /** Not assigned at the top level of the cell: nothing written for them. */
  missing: string[];
  /** Assigned where Parity does not rewrite a value (several statements on one line): left as they are. */
  skipped: string[];
}

/** `name =` or `name: type =` at the start of a statement, as collectParameters reads it. */
const ASSIGNMENT_START = /^([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)\s*/;

/**
 * Writes values into a parameters cell's source: only the value of each named assignment changes
 * (its name, annotation, trailing comment and every other line stay). A value is written as the
 * run read it: converted by the kind of the parameter's default, as `-p name=value` is (a string
 * default keeps quotes, in its own quote style), then as a Python literal. Where a name is
 * assigned twice, the last assignment (the one that counts) is rewritten.
 */
export function applyParameterValues(
  source: string,
  values: readonly ParameterAssignment[],
): AppliedParameters {
  const eol = source.includes("\r\n") ? "\r\n" : "\n";
  const lines = source.split(/\r?\n/);
  const parameters = collectParameters({ index: 0, kind: "code", lines, tags: ["parameters"] });
  const result: AppliedParameters = { source, changed: [], unchanged: [], missing: [], skipped: [] };
  const edits: { parameter: Parameter; literal: string }[] = [];
  // A name given twice: its last value.
  const unique = [...new Map(values.map((each) => [each.name, each.value])).entries()];
  for (const [name, value] of unique) {
    const last = parameters.filter((parameter) => parameter.name === name).at(-1);
    if (!last) {
      result.missing.push(name);
      continue;
    }
    const converted = parseParameterOverrides([`${name}=${value}`], parameters)[name]!;
    edits.push({ parameter: last, literal: pythonLiteral(converted, quoteOf(last.defaultSource)) });
  }
  const spans = statementSpans(lines);
  const outcome = new Map<string, keyof Omit<AppliedParameters, "source">>();
  // From the bottom up, so a statement folded onto one line does not move the ones above it.
  for (const { parameter, literal } of [...edits].sort((a, b) => b.parameter.line - a.parameter.line)) {
    const span = valueSpan(lines, spans, parameter.line - 1);
    if (!span) {
      outcome.set(parameter.name, "skipped");
      continue;
    }
    const old = span.text;
    if (old === literal) {
      outcome.set(parameter.name, "unchanged");
      continue;
    }
    const first = lines[span.firstLine]!;
    const last = lines[span.lastLine]!;
    const joined = first.slice(0, span.start) + literal + last.slice(span.end);
    lines.splice(span.firstLine, span.lastLine - span.firstLine + 1, joined);
    outcome.set(parameter.name, "changed");
  }
  for (const { parameter } of edits) result[outcome.get(parameter.name)!].push(parameter.name);
  result.source = lines.join(eol);
  return result;
}

/** Each line's end of code (where its comment starts) and the line its statement ends on. */
function statementSpans(lines: readonly string[]): { codeEnd: number; code: string; endLine: number }[] {
  const spans: { codeEnd: number; code: string; endLine: number }[] = [];
  let state: LexState = START;
  let open: number[] = [];
  lines.forEach((line, index) => {
    const scanned = scanLine(line, state);
    state = scanned.next;
    spans.push({ codeEnd: scanned.codeEnd, code: scanned.code, endLine: index });
    open.push(index);
    if (startsStatement(state)) {
      for (const each of open) spans[each]!.endLine = index;
      open = [];
    }
  });
  for (const each of open) spans[each]!.endLine = lines.length - 1;
  return spans;
}

/**
 * Where the value of the assignment starting on `line` lies: from after `=` to the end of its
 * statement's code (a trailing `;` and the comment excluded). Undefined where the value holds
 * another statement (`a = 1; b = 2`).
 */
function valueSpan(
  lines: readonly string[],
  spans: readonly { codeEnd: number; code: string; endLine: number }[],
  line: number,
): { firstLine: number; lastLine: number; start: number; end: number; text: string } | undefined {
  const span = spans[line]!;
  const head = ASSIGNMENT_START.exec(lines[line]!.slice(0, span.codeEnd));
  if (!head) return undefined;
  const start = head[0].length;
  const lastLine = span.endLine;
  const lastSpan = spans[lastLine]!;
  let end = lastSpan.code.replace(/\s+$/, "").length;
  if (lastSpan.code.slice(0, end).endsWith(";")) end -= 1;
  end = lastSpan.code.slice(0, end).replace(/\s+$/, "").length;
  const codes = spans.slice(line, lastLine + 1).map((each, index) => {
    const from = index === 0 ? start : 0;
    const to = line + index === lastLine ? end : each.code.length;
    return each.code.slice(from, to);
  });
  if (codes.some((code) => code.includes(";"))) return undefined;
  if (lastLine === line && end < start) return undefined;
  const text =
    lastLine === line
      ? lines[line]!.slice(start, end)
      : [lines[line]!.slice(start), ...lines.slice(line + 1, lastLine), lines[lastLine]!.slice(0, end)].join(
          "\n",
        );
  return { firstLine: line, lastLine, start, end, text };
}

/** The quote a string default is written with, kept when its value is rewritten. */
function quoteOf(defaultSource: string): '"' | "'" {
  return /^[rRuUbBfF]*'/.test(defaultSource) ? "'" : '"';
}

/**
 * A value as Python source: what the run read it as (its `-p` value is handed over as JSON, so a
 * number is written as JSON writes it, which Python reads as the same number).
 */
export function pythonLiteral(value: ParameterValue, quote: '"' | "'" = '"'): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    const json = JSON.stringify(value);
    return json === "null" ? "None" : json;
  }
  let literal = quote;
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === "\\" || char === quote) literal += `\\${char}`;
    else if (char === "\n") literal += "\\n";
    else if (char === "\r") literal += "\\r";
    else if (char === "\t") literal += "\\t";
    else if (code < 0x20 || code === 0x7f) literal += `\\x${code.toString(16).padStart(2, "0")}`;
    else literal += char;
  }
  return literal + quote;
}
