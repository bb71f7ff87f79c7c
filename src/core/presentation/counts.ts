import type { LastRunFacts } from "../parity/types";
import { lastRunSummary } from "./lastRun";

/** Only what the status bar and the views need of a parity report. */
export interface ReportCounts {
  errors: number;
  warnings: number;
  infos: number;
  /** The comparisons the report could not make ("requirements only"): while any is left, nothing "matches". */
  notCompared: readonly { short: string; sentence: string }[];
  /** The notebook's last run, when there is one: a failed one is part of the notebook's status. */
  lastRun?: LastRunFacts;
}

/** "1 warning", "2 warnings", "0 errors". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Errors and warnings are mismatches; notes are not. */
export function mismatchCount(report: Pick<ReportCounts, "errors" | "warnings">): number {
  return report.errors + report.warnings;
}

/**
 * "matches production" only when every comparison was made and found nothing; otherwise what was
 * found and what it was compared with: "no mismatches · requirements only", "3 mismatches".
 */
export function mismatchSummary(report: Pick<ReportCounts, "errors" | "warnings" | "notCompared">): string {
  const count = mismatchCount(report);
  const gaps = report.notCompared.map((gap) => gap.short);
  if (matchesProduction(report)) return "matches production";
  return [count === 0 ? "no mismatches" : plural(count, "mismatch", "mismatches"), ...gaps].join(" · ");
}

/** Every comparison was made and found nothing: the only case that may say "matches production". */
export function matchesProduction(
  report: Pick<ReportCounts, "errors" | "warnings" | "notCompared">,
): boolean {
  return mismatchCount(report) === 0 && report.notCompared.length === 0;
}

/** "1 error, 2 warnings, 0 notes". */
export function countsSentence(report: Pick<ReportCounts, "errors" | "warnings" | "infos">): string {
  return [
    plural(report.errors, "error"),
    plural(report.warnings, "warning"),
    plural(report.infos, "note"),
  ].join(", ");
}

/** "Not compared: image not built yet: packages compared with the requirements only." per gap. */
export function notComparedSentences(report: Pick<ReportCounts, "notCompared">): string[] {
  return report.notCompared.map((gap) => `Not compared: ${gap.sentence}.`);
}

/**
 * The notebook's status in a few words: the last run's failure first ("OOMKilled at 128 MiB in
 * the last run"), then the report's summary.
 */
export function notebookStatus(report: ReportCounts): string {
  const run = lastRunSummary(report.lastRun);
  return [...(run ? [run.short] : []), mismatchSummary(report)].join(" · ");
}

/** The tooltip's sentences: the counts, what was not compared, the last run's trouble. */
export function notebookStatusDetails(report: ReportCounts): string[] {
  const run = lastRunSummary(report.lastRun);
  return [`${countsSentence(report)}.`, ...notComparedSentences(report), ...(run ? [run.detail] : [])];
}
