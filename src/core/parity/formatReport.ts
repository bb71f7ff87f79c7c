import { notComparedSentences } from "../presentation/counts";
import type { ParityReport } from "./types";

export interface FormatOptions {
  /** Terminal columns; default 120. */
  width?: number;
}

const SEVERITY_WIDTH = "SEVERITY".length;
const GAP = "  ";

/** "2 errors, 1 warning" (and ", 3 notes" when there are infos). */
export function summarizeReport(report: ParityReport): string {
  const parts = [plural(report.errors, "error"), plural(report.warnings, "warning")];
  if (report.infos > 0) parts.push(plural(report.infos, "note"));
  return parts.join(", ");
}

/**
 * "Matches production" with what was compared, only when every comparison was made and found
 * nothing; otherwise undefined, and the report says what it could not compare.
 */
export function matchSentence(report: ParityReport): string | undefined {
  if (report.items.length > 0 || report.notCompared.length > 0) return undefined;
  const { local, image } = report.compared;
  return `Your notebook's environment matches production: ${local ?? "the notebook's interpreter"} compared with ${image ?? "the production image"} and the limits in ${report.production.profileSource}.`;
}

/** What the report compared, and what it could not: the lines under every report. */
export function basisLines(report: ParityReport): string[] {
  const { local, image } = report.compared;
  const compared = [
    ...(local ? [local] : []),
    ...(image ? [image] : [`${report.production.requirementsSource} (no image)`]),
    `limits in ${report.production.profileSource}`,
  ];
  return [`Compared: ${compared.join(", ")}.`, ...notComparedSentences(report)];
}

/** An aligned table (severity, message, fix) with wrapped cells, then what was compared and the counts. */
export function formatReport(report: ParityReport, options: FormatOptions = {}): string {
  const matches = matchSentence(report);
  if (matches) return `${matches}\n${summarizeReport(report)}`;
  if (report.items.length === 0) {
    return [
      "Parity found no mismatches, but it could not compare everything:",
      ...basisLines(report),
      summarizeReport(report),
    ].join("\n");
  }
  const width = Math.max(options.width ?? 120, 60);
  const textWidth = width - SEVERITY_WIDTH - 2 * GAP.length;
  const messageWidth = Math.ceil(textWidth * 0.55);
  const fixWidth = textWidth - messageWidth;
  const lines = [row(["SEVERITY", "MESSAGE", "FIX"], messageWidth)];
  for (const item of report.items) {
    const message = wrap(item.message, messageWidth);
    const fix = wrap(item.fix, fixWidth);
    for (let index = 0; index < Math.max(message.length, fix.length); index++) {
      lines.push(
        row([index === 0 ? item.severity : "", message[index] ?? "", fix[index] ?? ""], messageWidth),
      );
    }
  }
  lines.push("", ...basisLines(report).flatMap((line) => wrap(line, width)), summarizeReport(report));
  return lines.join("\n");
}

function row([severity, message, fix]: [string, string, string], messageWidth: number): string {
  return `${severity.padEnd(SEVERITY_WIDTH)}${GAP}${message.padEnd(messageWidth)}${GAP}${fix}`.trimEnd();
}

/** Greedy word wrap; a word longer than the width (a URL) gets a line of its own. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
