import path from "node:path";
import type { CodeLocation } from "../../core/diagnosis/types";
import { describeMemory } from "../../core/job/peakMemory";
import type { RunResult, RunStatus } from "../../core/job/types";
import { formatBytes } from "../../core/profile/quantity";
import { timelineRows, type DiagnosisViewState, type OutcomeFact } from "../../protocol/diagnosis";
import { formatDuration, STATUS_WORDS } from "../../core/presentation/runStatus";
import { isFinished } from "../../core/workload/status";

/** The same words as the Runs view. */
export function statusLabel(status: RunStatus): string {
  return STATUS_WORDS[status] ?? status;
}

/** What the diagnosis webview shows for a recorded run. */
export function diagnosisViewState(result: RunResult): DiagnosisViewState {
  return {
    notebookName: path.basename(result.notebook),
    runId: result.runId,
    status: result.status,
    statusLabel: statusLabel(result.status),
    headline: headline(result),
    facts: facts(result),
    items: result.diagnosis.map((diagnosis) => ({
      code: diagnosis.code,
      severity: diagnosis.severity,
      message: diagnosis.message,
      fix: diagnosis.fix,
      ...(diagnosis.location ? { location: describeLocation(diagnosis.location) } : {}),
      openable: diagnosis.location !== undefined,
      ...(diagnosis.snippet
        ? { snippet: diagnosis.snippet.yaml, applicable: diagnosis.snippet.changes.length > 0 }
        : {}),
    })),
    ...(result.cluster ? { timeline: timelineRows(result.timeline) ?? [] } : {}),
    live: !isFinished(result.status),
  };
}

export function headline(result: RunResult): string {
  const limit = formatBytes(result.memoryLimitBytes);
  if (!isFinished(result.status))
    return `The run is ${statusLabel(result.status).toLowerCase()}; this page updates when it ends.`;
  if (result.status === "cancelled") return "The run was cancelled.";
  if (result.status === "lost") return "Parity lost track of the run: nothing remains to say how it ended.";
  if (result.oomKilled) return `OOMKilled at the ${limit} memory limit.`;
  if (result.status === "succeeded") return "The run succeeded.";
  if (result.exitCode !== null) return `The run failed with exit code ${result.exitCode}.`;
  return "The run failed before the job could start.";
}

function facts(result: RunResult): OutcomeFact[] {
  const facts: OutcomeFact[] = [{ label: "Status", value: statusLabel(result.status) }];
  if (result.exitCode !== null) facts.push({ label: "Exit code", value: String(result.exitCode) });
  if (result.durationMs !== undefined)
    facts.push({ label: "Duration", value: formatDuration(result.durationMs) });
  facts.push({ label: "Memory", value: describeMemory(result) });
  facts.push({ label: "Target", value: targetFact(result) });
  facts.push({ label: "Image", value: result.image });
  if (result.startedAt) facts.push({ label: "Started", value: result.startedAt });
  facts.push({ label: "Run", value: result.runId });
  return facts;
}

/** "cluster: Job train-x in team-a (context kwok)" */
function targetFact(result: RunResult): string {
  const cluster = result.cluster;
  if (!cluster) return result.target;
  return `cluster: ${cluster.kind} ${cluster.name} in ${cluster.namespace} (context ${cluster.context})`;
}

/** "train.ipynb, cell 3, line 2" */
export function describeLocation(location: CodeLocation): string {
  const parts = [path.basename(location.file)];
  if (location.cell !== undefined) parts.push(`cell ${location.cell}`);
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  return parts.join(", ");
}
