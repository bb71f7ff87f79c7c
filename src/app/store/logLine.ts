import type { LogLine } from "../../core/job/types";

/** One logs.jsonl line, or undefined for a blank or damaged one. */
export function parseLogLine(text: string): LogLine | undefined {
  if (!text.trim()) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LogLine>;
    if ((value.stream !== "stdout" && value.stream !== "stderr") || typeof value.text !== "string")
      return undefined;
    return {
      stream: value.stream,
      text: value.text,
      time: typeof value.time === "number" ? value.time : 0,
      ...(typeof value.source === "string" ? { source: value.source } : {}),
    };
  } catch {
    return undefined;
  }
}
