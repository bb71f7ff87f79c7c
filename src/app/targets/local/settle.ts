import path from "node:path";
import type Dockerode from "dockerode";
import { diagnoseRun } from "../../../core/diagnosis/diagnose";
import {
  followerGoneDiagnosis,
  runLostDiagnosis,
  type GoneFollower,
} from "../../../core/diagnosis/followerGone";
import { peakAtEnd } from "../../../core/job/peakMemory";
import type { LogLine, RunResult } from "../../../core/job/types";
import { isFinished } from "../../../core/workload/status";
import {
  removeContainer,
  runContainers,
  settleContainer,
  type RunContainer,
  type SettledContainer,
} from "../../../targets/docker/leftovers";
import { NOTEBOOK_LABEL } from "../../../targets/docker/runLabels";
import type { DockerConnection } from "../../../targets/docker/connection";
import { createDetachableRunHandle, type DetachableRunHandle } from "../../../targets/runHandle";
import { isCancelled, ParityError } from "../../../core/errors";
import { isInside } from "../../../core/paths";
import { lastFollower } from "../../store/follower";
import { workspaceOfRunDir } from "../../store/runRef";
import { readRunLogs, RunRecorder, type StoredRun } from "../../store/runStore";

/**
 * A local run whose follower went away, brought to its end from what the engine still has: its
 * container (stopped first when `stop`: nobody else would; else waited for), whose exit code, OOM
 * state and output complete the record; `lost` when no container remains. The container is removed.
 * The record is claimed first, so a live follower (a `parity run` still going) is never overruled.
 * cancel() stops the container; detach() stops waiting and leaves container and record as they are.
 */
export function settleLocalRun(
  connection: Pick<DockerConnection, "docker" | "endpoint">,
  stored: StoredRun,
  stop: boolean,
): DetachableRunHandle {
  const { docker } = connection;
  return createDetachableRunHandle(stored.result.runId, async ({ status, logs, cancel, detach }) => {
    requireSameEngine(stored, connection.endpoint);
    requireOwnRecord(stored);
    const follower: GoneFollower = { pid: (await lastFollower(stored.dir))?.pid };
    const { recorder, current } = await RunRecorder.reopen(stored);
    let record = current.result;
    const onCancel = (): void => {
      record = { ...record, cancelRequestedAt: new Date().toISOString() };
      void recorder.save(record).catch(() => undefined);
    };
    cancel.addEventListener("abort", onCancel, { once: true });
    try {
      if (isFinished(record.status)) {
        await removeLeftovers(docker, current);
        return record;
      }
      const recorded = await readRunLogs(current);
      const containers = (await runContainers(docker, record.runId)).filter((each) =>
        belongsTo(each, record),
      );
      let settled: SettledContainer | undefined;
      for (const container of containers) {
        // One container a run; any other of the same run is left over: settled and removed too.
        settled = (await settleContainer(docker, container.id, { stop, cancel, detach })) ?? settled;
      }
      const missing = settled ? missingLines(recorded, settled.lines) : [];
      for (const line of missing) {
        logs.fire(line);
        await recorder.log(line);
      }
      const final = settled
        ? endFromContainer(record, settled, [...recorded, ...missing], follower)
        : lostRun(record, follower);
      cancel.removeEventListener("abort", onCancel);
      await recorder.close();
      await recorder.save(final);
      status.fire(final.status);
      return final;
    } catch (error) {
      if (isCancelled(error) && detach.aborted) return record;
      throw error;
    } finally {
      cancel.removeEventListener("abort", onCancel);
      await recorder.release();
    }
  });
}

/**
 * A run is settled from the engine it ran on: another engine has no container of it, and "lost"
 * would be a lie while the container goes on there. (Records older than the field say nothing.)
 */
function requireSameEngine(stored: StoredRun, endpoint: string): void {
  const engine = stored.result.engine;
  if (!engine || engine === endpoint) return;
  throw new ParityError(
    "OtherEngine",
    `Run ${stored.result.runId} ran on the Docker engine at ${engine}, not on ${endpoint}, which Parity reaches now; its record is left as it is.`,
    {
      fix: `Point Parity at that engine (DOCKER_HOST=${engine}, or the parity.docker.host setting) and run any parity command in ${workspaceOfRunDir(stored.dir)}.`,
    },
  );
}

/**
 * A record is a file anyone who can write the workspace can make: its run id must be its folder's
 * name and its notebook must lie in its workspace, or it could name another project's container.
 */
export function requireOwnRecord(stored: StoredRun): void {
  const workspace = workspaceOfRunDir(stored.dir);
  if (stored.result.runId === path.basename(stored.dir) && isInside(stored.result.notebook, workspace))
    return;
  throw new ParityError(
    "RunFolderUnexpected",
    `The record in ${stored.dir} names run ${stored.result.runId} of ${stored.result.notebook}, which is not this folder's run of a notebook in ${workspace}; Parity leaves it as it is.`,
    { fix: "Remove that folder if you do not know where it comes from." },
  );
}

/** Removes the containers a finished run left behind (its process was killed before removing them). */
export async function removeLeftovers(docker: Dockerode, stored: StoredRun): Promise<number> {
  requireOwnRecord(stored);
  const containers = (await runContainers(docker, stored.result.runId)).filter((each) =>
    belongsTo(each, stored.result),
  );
  await Promise.all(containers.map((container) => removeContainer(docker, container.id)));
  return containers.length;
}

/** A container is this record's only when it runs this record's notebook too (see requireOwnRecord). */
function belongsTo(container: RunContainer, record: RunResult): boolean {
  return container.labels[NOTEBOOK_LABEL] === record.notebook;
}

/**
 * The engine's lines the record does not have yet. The record holds, per stream, the first lines in
 * order (what reached the disk before the follower went away, a damaged last line dropped), so the
 * container's lines of each stream past that count are the missing ones.
 */
export function missingLines(recorded: LogLine[], all: LogLine[]): LogLine[] {
  const seen = { stdout: 0, stderr: 0 };
  for (const line of recorded) seen[line.stream] += 1;
  const passed = { stdout: 0, stderr: 0 };
  return all.filter((line) => {
    passed[line.stream] += 1;
    return passed[line.stream] > seen[line.stream];
  });
}

/** The record of a run whose end came from its container, as a followed run's would read. */
export function endFromContainer(
  record: RunResult,
  settled: SettledContainer,
  lines: LogLine[],
  follower: GoneFollower,
): RunResult {
  if (settled.neverStarted) {
    return {
      ...record,
      status: "cancelled",
      exitCode: null,
      peakMemoryBytes: undefined,
      peakMemorySource: undefined,
      diagnosis: [followerGoneDiagnosis(follower, "never-started")],
    };
  }
  // A cancel the record says was asked for (a Ctrl-C before the process quit), or Parity's stop now.
  const askedToCancel = record.cancelRequestedAt !== undefined;
  const stoppedByParity = settled.stoppedByParity && !askedToCancel;
  const cancelled = askedToCancel || stoppedByParity;
  const startedAt = Date.parse(settled.startedAt ?? "");
  const finishedAt = Date.parse(settled.finishedAt ?? "");
  const logTail = lines.slice(-200).map((line) => line.text);
  const peak = peakAtEnd({ oomKilled: settled.oomKilled, reported: settled.peak }, record.memoryLimitBytes);
  return {
    ...record,
    status: cancelled ? "cancelled" : settled.exitCode === 0 && !settled.oomKilled ? "succeeded" : "failed",
    exitCode: cancelled ? null : settled.exitCode,
    oomKilled: settled.oomKilled,
    ...(settled.finishedAt ? { finishedAt: settled.finishedAt } : {}),
    ...(Number.isFinite(startedAt) && Number.isFinite(finishedAt)
      ? { durationMs: finishedAt - startedAt }
      : {}),
    peakMemoryBytes: peak?.bytes,
    peakMemorySource: peak?.source,
    diagnosis: [
      ...(stoppedByParity
        ? []
        : diagnoseRun({
            exitCode: settled.exitCode,
            oomKilled: settled.oomKilled,
            cancelled,
            memoryLimitBytes: record.memoryLimitBytes,
            peakMemoryBytes: peak?.bytes,
            engineError: settled.error,
            logTail,
          })),
      followerGoneDiagnosis(follower, stoppedByParity ? "stopped" : "read"),
    ],
  };
}

/** Nothing remains of the run: the record says so, instead of "running" forever. */
export function lostRun(record: RunResult, follower: GoneFollower): RunResult {
  return {
    ...record,
    status: "lost",
    exitCode: null,
    diagnosis: [runLostDiagnosis(follower, record.runId), ...record.diagnosis],
  };
}
