import type { LineMap, MappedTraceback, TracebackFrame } from "./types";
import { plainText } from "../presentation/terminalText";

const FRAME = /^\s*File "(.+)", line (\d+)(?:, in (.+))?\s*$/;
const EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;

/**
 * Finds the last Python traceback in a job's stderr and maps the innermost frame of the generated
 * script (at `scriptPath`) back to the notebook cell and line. Undefined when there is none.
 * Also reads SyntaxError reports, which Python prints without a "Traceback" header.
 */
export function mapTraceback(stderr: string, map: LineMap, scriptPath: string): MappedTraceback | undefined {
  // Python 3.13 colours tracebacks on a terminal or with FORCE_COLOR: read as a terminal shows them.
  const lines = stderr.split(/\r?\n/).map(plainText);
  const header = lines.lastIndexOf("Traceback (most recent call last):");
  const start = header >= 0 ? header + 1 : lines.findIndex((line) => FRAME.exec(line)?.[1] === scriptPath);
  if (start < 0) return undefined;
  const frames: TracebackFrame[] = [];
  let end = start;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const frame = FRAME.exec(line);
    if (frame) {
      const lineNumber = Number(frame[2]);
      const origin = frame[1] === scriptPath ? (map[lineNumber - 1] ?? undefined) : undefined;
      frames.push({ file: frame[1] ?? "", line: lineNumber, function: frame[3], origin });
      end = i + 1;
    } else if (line && !/^\s/.test(line)) break;
    else end = i + 1;
  }
  const exceptionAt = lines.findIndex((line, i) => i >= end && EXCEPTION.test(line));
  if (frames.length === 0 || exceptionAt < 0) return undefined;
  const summary = lines[exceptionAt] ?? "";
  const [, exceptionType = "", first = ""] = EXCEPTION.exec(summary) ?? [];
  const blank = lines.findIndex((line, i) => i > exceptionAt && !line.trim());
  const rest = lines.slice(exceptionAt + 1, blank < 0 ? undefined : blank);
  const origin = [...frames].reverse().find((frame) => frame.origin)?.origin;
  return { exceptionType, message: [first, ...rest].join("\n").trim(), summary, origin, frames };
}

/** The top-level module of a `ModuleNotFoundError: No module named 'pandas.io'` (→ pandas). */
export function missingModule(
  traceback: Pick<MappedTraceback, "exceptionType" | "message">,
): string | undefined {
  if (!/(^|\.)ModuleNotFoundError$/.test(traceback.exceptionType)) return undefined;
  const name = /No module named '([^']+)'/.exec(traceback.message)?.[1];
  return name?.split(".")[0];
}
