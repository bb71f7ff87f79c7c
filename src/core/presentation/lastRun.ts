import type { LastRunFacts } from "../parity/types";
import { formatBytes } from "../profile/quantity";
import { STATUS_WORDS } from "./runStatus";

export interface LastRunSummary {
  /** For the status bar and the Environment view: "OOMKilled at 128 MiB in the last run". */
  short: string;
  /** The first thing its diagnosis says, for a tooltip. */
  detail: string;
}

/**
 * What the notebook's last run says about production, when it says something is wrong: killed
 * at its memory limit, failed, stuck Pending, lost. A run that succeeded, runs, or was cancelled
 * says nothing here.
 */
export function lastRunSummary(run: LastRunFacts | undefined): LastRunSummary | undefined {
  if (!run) return undefined;
  const problem = run.diagnosis.find((item) => item.severity === "error") ?? run.diagnosis[0];
  const detail =
    problem?.message ?? `The last run (${run.runId}) ended ${STATUS_WORDS[run.status].toLowerCase()}.`;
  if (run.oomKilled)
    return { short: `OOMKilled at ${formatBytes(run.memoryLimitBytes)} in the last run`, detail };
  if (run.status === "failed") {
    const exception =
      problem?.code === "PythonException" ? /^([\w.]+):/.exec(problem.message)?.[1] : undefined;
    const why = exception ?? (run.exitCode !== null ? `exit code ${run.exitCode}` : undefined);
    return { short: `last run failed${why ? ` (${why})` : ""}`, detail };
  }
  if (run.status === "pending" && problem) return { short: "last run Pending", detail };
  if (run.status === "lost") return { short: "last run lost", detail };
  return undefined;
}
