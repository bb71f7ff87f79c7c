import { readFile } from "node:fs/promises";
import path from "node:path";
import type { GoneFollower } from "../../core/diagnosis/followerGone";
import type { RunResult } from "../../core/job/types";
import { readExperiment } from "../../core/tuning/experiment";
import { specDigest, type ExperimentRecord } from "../../core/tuning/record";
import { settledExperiment, type TrialEndState } from "../../core/tuning/settled";
import type { ExperimentSpec } from "../../core/tuning/types";
import { relativeTo, type SessionContext } from "../context";
import { runDir, workspaceOfRunDir } from "../store/runRef";
import type { StoredRun } from "../store/runStore";
import { collectedTrialEnd } from "./trialRuns";

/**
 * A local experiment whose process went away, its running trials' job runs settled from their
 * containers: each of those trials takes the end its run got (its metrics read as the collector
 * reads them, where the experiment can still be read as it was), and the record says what happened
 * and how to resume it.
 */
export async function settleExperiment(
  context: Pick<SessionContext, "cwd">,
  whole: StoredRun,
  parts: ReadonlyMap<string, RunResult>,
  follower: GoneFollower,
): Promise<RunResult> {
  const record = whole.result.experiment;
  const spec = record && (await recordedSpec(record));
  const workspaceDir = workspaceOfRunDir(whole.dir);
  const ends = new Map<string, TrialEndState>();
  for (const trial of record?.trials ?? []) {
    const run = trial.status === "running" && trial.runId ? parts.get(trial.runId) : undefined;
    if (!run) continue;
    const dir = runDir({ workspaceDir, runId: run.runId });
    ends.set(trial.name, await trialEndOf(dir, run, record!, spec));
  }
  const resume = `parity tune ${relativeTo(context, whole.result.notebook)} --resume ${whole.result.runId}`;
  return settledExperiment(whole.result, ends, follower, resume, spec);
}

/** A trial's end from its settled run: read by Katib's rules where the experiment can be, else by what the run says. */
async function trialEndOf(
  dir: string,
  run: RunResult,
  record: ExperimentRecord,
  spec: ExperimentSpec | undefined,
): Promise<TrialEndState> {
  const finishedAt = run.finishedAt ?? new Date().toISOString();
  if (run.status === "cancelled" || run.status === "lost") {
    const reason =
      run.status === "cancelled"
        ? "stopped: the experiment's process had gone away"
        : "nothing says how it ended: its container is gone";
    return { status: run.status, finishedAt, reason };
  }
  if (spec) return collectedTrialEnd(dir, spec, run);
  const error = run.diagnosis.find((item) => item.severity === "error");
  return run.status === "succeeded"
    ? {
        status: "metrics-unavailable",
        finishedAt,
        reason: `its metrics could not be read: ${path.basename(record.file)} is no longer the experiment it ran`,
      }
    : {
        status: "failed",
        finishedAt,
        reason: error?.message.replace(/\.$/, "") ?? `exit ${run.exitCode}`,
      };
}

/** The experiment's spec as it was read when it started, or undefined where its file is gone or changed since. */
async function recordedSpec(record: ExperimentRecord): Promise<ExperimentSpec | undefined> {
  try {
    const text = await readFile(record.file, "utf8");
    const experiment = readExperiment(text, record.file, { ...(record.field && { path: [record.field] }) });
    return specDigest(experiment, record.params) === record.specDigest ? experiment.spec : undefined;
  } catch {
    return undefined;
  }
}
