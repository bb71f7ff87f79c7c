import { ParityError } from "../errors";
import { scanLine, START, startsStatement, type LexState } from "./lexer";
import type { Parameter, ParameterKind, ParameterValue, SourceCell } from "./types";

/** Where `-p name=value` overrides reach the job's runtime: a JSON object its parameters cell reads. */
export const PARAMETERS_VARIABLE = "PARITY_PARAMETERS";

/** papermill's convention: the first cell tagged `parameters` holds the defaults. */
export function findParametersCell(cells: SourceCell[]): SourceCell | undefined {
  return cells.find((cell) => cell.kind === "code" && cell.tags.includes("parameters"));
}

const ASSIGNMENT = /^([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)\s*(.*)$/;

/** Top-level `name = value` (or `name: type = value`) statements of the parameters cell. */
export function collectParameters(cell: SourceCell): Parameter[] {
  const parameters: Parameter[] = [];
  let state: LexState = START;
  let open: { parameter: Parameter; parts: string[] } | undefined;
  cell.lines.forEach((line, offset) => {
    const starts = startsStatement(state);
    const scanned = scanLine(line, state);
    state = scanned.next;
    const code = line.slice(0, scanned.codeEnd);
    if (!starts && open) open.parts.push(code);
    else {
      open = undefined;
      const match = ASSIGNMENT.exec(code);
      if (starts && match?.[1] && !/^\s/.test(line)) {
        const parameter = {
          name: match[1],
          defaultSource: "",
          kind: "other" as ParameterKind,
          cell: cell.index,
          line: offset + 1,
        };
        open = { parameter, parts: [match[2] ?? ""] };
        parameters.push(parameter);
      }
    }
    if (open && startsStatement(state)) {
      open.parameter.defaultSource = open.parts.join("\n").trim().replace(/;$/, "");
      open.parameter.kind = kindOf(open.parameter.defaultSource);
      open = undefined;
    }
  });
  return parameters;
}

/** What kind of value a parameter's default (Python source) is: how `-p name=value` is read for it. */
export function kindOf(source: string): ParameterKind {
  if (/^[rRuU]?("|')/.test(source)) return "string";
  if (source === "True" || source === "False") return "bool";
  if (source === "None") return "none";
  if (/^[+-]?\d[\d_]*$/.test(source)) return "int";
  if (/^[+-]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(source)) return "float";
  return "other";
}

/**
 * `-p name=value` pairs to override values, converted as papermill does: int, float, booleans
 * (True/False/true/false), None, otherwise text; a parameter whose default is a string stays text.
 */
export function parseParameterOverrides(
  pairs: string[],
  parameters: Parameter[],
): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = {};
  const known = parameters.map((parameter) => parameter.name);
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const name = pair.slice(0, Math.max(at, 0)).trim();
    if (at <= 0) {
      throw new ParityError(
        "ParametersInvalidOverride",
        `The parameter override "${pair}" has no name=value form.`,
        {
          fix: "Write overrides as -p name=value, e.g. -p learning_rate=0.01.",
        },
      );
    }
    const parameter = parameters.find((candidate) => candidate.name === name);
    if (!parameter) {
      throw new ParityError(
        "ParametersUnknown",
        known.length === 0
          ? `The notebook has no parameters cell, so it has no parameter ${name} to override.`
          : `The notebook has no parameter ${name}; its parameters are ${known.join(", ")}.`,
        {
          fix:
            known.length === 0
              ? "Tag the cell that sets the defaults with the tag parameters (papermill's convention)."
              : `Use one of ${known.join(", ")}, or add ${name} to the parameters cell.`,
        },
      );
    }
    values[name] = parameter.kind === "string" ? pair.slice(at + 1) : convertValue(pair.slice(at + 1));
  }
  return values;
}

/** A float as written (`2.0`, `1e3`): kept a float in the JSON the job reads, as papermill passes it. */
const FLOAT_LITERAL = /^[+-]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][+-]?\d+)$/;

/**
 * The `-p name=value` overrides as the entries of the JSON object the job's runtime reads
 * (`"lr":0.01`), converted as parseParameterOverrides does; a whole float stays a float (`2.0`,
 * not `2`), so the notebook gets the type papermill would give it.
 */
export function encodeParameterOverrides(pairs: string[], parameters: Parameter[]): string[] {
  const values = parseParameterOverrides(pairs, parameters);
  const floats = new Set(
    pairs
      .filter((pair) => FLOAT_LITERAL.test(pair.slice(pair.indexOf("=") + 1)))
      .map((pair) => pair.slice(0, pair.indexOf("=")).trim()),
  );
  return Object.entries(values).map(([name, value]) => {
    const text =
      typeof value === "number" && floats.has(name) && Number.isInteger(value) && Math.abs(value) < 1e21
        ? value.toFixed(1)
        : JSON.stringify(value);
    return `${JSON.stringify(name)}:${text}`;
  });
}

/** A `-p` value as papermill reads it: an int, a float, True/False (or true/false), None, else text. */
export function convertValue(text: string): ParameterValue {
  if (/^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (text === "True" || text === "true") return true;
  if (text === "False" || text === "false") return false;
  if (text === "None") return null;
  return text;
}
