/** Only the counts of a parity report, so the status bar and the views need nothing else of it. */
export interface ReportCounts {
  errors: number;
  warnings: number;
  infos: number;
}

/** "1 warning", "2 warnings", "0 errors". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Errors and warnings are mismatches; notes are not. */
export function mismatchCount(report: Pick<ReportCounts, "errors" | "warnings">): number {
  return report.errors + report.warnings;
}

/** "matches production", "1 mismatch", "3 mismatches". */
export function mismatchSummary(report: Pick<ReportCounts, "errors" | "warnings">): string {
  const count = mismatchCount(report);
  return count === 0 ? "matches production" : plural(count, "mismatch", "mismatches");
}

/** "1 error, 2 warnings, 0 notes". */
export function countsSentence(report: ReportCounts): string {
  return [
    plural(report.errors, "error"),
    plural(report.warnings, "warning"),
    plural(report.infos, "note"),
  ].join(", ");
}
