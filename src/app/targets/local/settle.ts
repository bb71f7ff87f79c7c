import path from "node:path";
import type { Emitter } from "../../../core/events";
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
import { workloadOf, type WorkloadKind } from "../../../core/workload/types";
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
import type { SessionContext } from "../../context";
import { settlePipelineRun } from "../../pipeline/settle";
import { lastFollower } from "../../store/follower";
import { runDir, workspaceOfRunDir } from "../../store/runRef";
import {
  awaitRecordedEnd,
  lastWrittenAt,
  readRecordOf,
  readRunLogs,
  RunRecorder,
  type StoredRun,
} from "../../store/runStore";
import { settleExperiment } from "../../tuning/settle";
import { diagnoseEndpoint } from "../../../core/serving/diagnosis";
import { cancelRequested } from "../../store/cancelRequest";
import { answersWithin, outputSoFar, servingState } from "../../../targets/docker/serveContainer";
import { routesFor } from "../../../core/serving/protocol";

/** Brings a local record whose follower went away to its end: its container stopped first when `stop`, else waited for. */
type LocalSettle = (
  connection: Pick<DockerConnection, "docker" | "endpoint">,
  stored: StoredRun,
  stop: boolean,
  context: Pick<SessionContext, "cwd">,
) => DetachableRunHandle;

/**
 * What a workload with parts says once its follower went away and its parts were settled (`parts`:
 * their records by run id): the kind's own words of what happened and how to go on.
 */
type SettleWhole = (
  context: Pick<SessionContext, "cwd">,
  whole: StoredRun,
  parts: ReadonlyMap<string, RunResult>,
  follower: GoneFollower,
) => Promise<RunResult>;

/**
 * How a local record of each kind is settled: a job run from its container; a pipeline run or an
 * experiment from its parts (each a job run, settled from its container), then in its own words.
 * A new kind is one entry here, its words in its own folder.
 */
const SETTLERS: Record<WorkloadKind, LocalSettle> = {
  job: (connection, stored, stop) => settleJobRun(connection, stored, stop),
  pipeline: settleWhole(settlePipelineRun),
  experiment: settleWhole(settleExperiment),
  endpoint: (connection, stored, stop) =>
    stored.result.endpoint?.detached
      ? settleDetachedEndpoint(connection, stored, stop)
      : settleJobRun(connection, stored, stop),
};

/**
 * A local run whose follower went away, brought to its end from what the engine still has, as its
 * kind says (SETTLERS). The record is claimed first, so a live follower is never overruled.
 * cancel() stops what is being waited for; detach() stops waiting and leaves the record as it is.
 */
export function settleLocalRun(
  connection: Pick<DockerConnection, "docker" | "endpoint">,
  stored: StoredRun,
  stop: boolean,
  context: Pick<SessionContext, "cwd">,
): DetachableRunHandle {
  return SETTLERS[workloadOf(stored.result).kind](connection, stored, stop, context);
}

/**
 * A job run whose follower went away, brought to its end from what the engine still has: its
 * container (stopped first when `stop`: nobody else would; else waited for), whose exit code, OOM
 * state and output complete the record; `lost` when no container remains. The container is removed.
 * The record is claimed first, so a live follower (a `parity run` still going) is never overruled.
 * cancel() stops the container; detach() stops waiting and leaves container and record as they are.
 */
function settleJobRun(
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
      await passOn(missing, recorder, logs);
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
 * An endpoint left serving on purpose (`parity serve --detach`, Deploy Model): it outlives its
 * process, so a record saying `running` is true while its container runs. Settling it copies the
 * lines the record lacks and leaves it running, unless its stop was asked for (a cancel request) or
 * the caller follows it (`stop` false: waited for to its end). An endpoint that ended by itself
 * (an OOM under load) is read from its container like a job run; none left, it is `lost`.
 */
function settleDetachedEndpoint(
  connection: Pick<DockerConnection, "docker" | "endpoint">,
  stored: StoredRun,
  stop: boolean,
): DetachableRunHandle {
  const { docker } = connection;
  return createDetachableRunHandle(stored.result.runId, async ({ status, logs, cancel, detach }) => {
    requireSameEngine(stored, connection.endpoint);
    requireOwnRecord(stored);
    const { recorder, current } = await RunRecorder.reopen(stored);
    const record = current.result;
    try {
      if (isFinished(record.status)) {
        await removeLeftovers(docker, current);
        return record;
      }
      const asked = await cancelRequested(stored.dir);
      const recorded = await readRunLogs(current);
      // Its process may have gone before it recorded the container: found by its labels then.
      const containerId =
        record.endpoint?.containerId ??
        (await runContainers(docker, record.runId)).find((each) => belongsTo(each, record))?.id;
      const state = containerId ? await servingState(docker, containerId) : undefined;
      if (state?.running && stop && !asked) {
        await passOn(missingLines(recorded, await outputSoFar(docker, containerId!)), recorder, logs);
        // Its process went away while the model loaded: whether it serves now is asked of KServe.
        const url = record.endpoint?.url;
        if (
          record.status === "pending" &&
          url &&
          (await answersWithin(`${url}${routesFor(record.endpoint!.name).modelReady}`, 2000, cancel))
        ) {
          const ready: RunResult = {
            ...record,
            status: "running",
            endpoint: { ...record.endpoint!, containerId, readyAt: new Date().toISOString() },
          };
          await recorder.save(ready);
          status.fire("running");
          return ready;
        }
        return record;
      }
      const settled = state
        ? await settleContainer(docker, containerId!, { stop: asked, cancel, detach })
        : undefined;
      const missing = settled ? missingLines(recorded, settled.lines) : [];
      await passOn(missing, recorder, logs);
      const final = settled
        ? endpointEnd(record, settled, asked || cancel.aborted, [...recorded, ...missing])
        : lostRun(record, { pid: (await lastFollower(stored.dir))?.pid });
      await recorder.close();
      await recorder.save(final);
      status.fire(final.status);
      return final;
    } catch (error) {
      if (isCancelled(error) && detach.aborted) return record;
      throw error;
    } finally {
      await recorder.release();
    }
  });
}

/** A detached endpoint's end from its container: stopped on request, or exited by itself (diagnosed). */
function endpointEnd(
  record: RunResult,
  settled: SettledContainer,
  stopped: boolean,
  lines: LogLine[],
): RunResult {
  const cancelled = stopped || settled.stoppedByParity;
  return {
    ...record,
    status: cancelled ? "cancelled" : "failed",
    exitCode: cancelled ? null : settled.exitCode,
    oomKilled: settled.oomKilled,
    finishedAt: settled.finishedAt ?? new Date().toISOString(),
    diagnosis: cancelled
      ? []
      : diagnoseEndpoint({
          exitCode: settled.exitCode,
          oomKilled: settled.oomKilled,
          memoryLimitBytes: record.memoryLimitBytes,
          engineError: settled.error,
          logTail: lines.slice(-200).map((line) => line.text),
          wasReady: record.status === "running",
        }),
  };
}

/**
 * A workload with parts (a pipeline run's steps, an experiment's trials, each a job run) whose
 * follower went away: the parts left unfinished are settled first (their containers stopped when
 * `stop`, else waited for), then the kind says what the whole is now (`settle`), with when its
 * process was last seen: the last write to its record or its parts' records and logs.
 */
function settleWhole(settle: SettleWhole): LocalSettle {
  return (connection, stored, stop, context) =>
    createDetachableRunHandle(stored.result.runId, async ({ status, cancel, detach }) => {
      requireSameEngine(stored, connection.endpoint);
      requireOwnRecord(stored);
      const workspaceDir = workspaceOfRunDir(stored.dir);
      const partDirs = (stored.result.children ?? []).map((runId) => runDir({ workspaceDir, runId }));
      // Read before this process writes anything there (the claim, an ended partial line).
      const follower: GoneFollower = {
        pid: (await lastFollower(stored.dir))?.pid,
        lastSeenAt: await lastWrittenAt([stored.dir, ...partDirs]),
      };
      const { recorder, current } = await RunRecorder.reopen(stored);
      try {
        if (isFinished(current.result.status)) return current.result;
        const parts = await settleParts(connection, current, stop, context, { cancel, detach });
        if (detach.aborted) return current.result;
        const final = await settle(context, current, parts, follower);
        await recorder.close();
        await recorder.save(final);
        status.fire(final.status);
        return final;
      } finally {
        await recorder.release();
      }
    });
}

/** The records of a workload's parts, each left unfinished settled first (side by side) as its kind says. */
async function settleParts(
  connection: Pick<DockerConnection, "docker" | "endpoint">,
  whole: StoredRun,
  stop: boolean,
  context: Pick<SessionContext, "cwd">,
  controls: { cancel: AbortSignal; detach: AbortSignal },
): Promise<Map<string, RunResult>> {
  const workspaceDir = workspaceOfRunDir(whole.dir);
  const parts = new Map<string, RunResult>();
  await Promise.all(
    (whole.result.children ?? []).map(async (runId) => {
      const ref = { workspaceDir, runId };
      const result = await readRecordOf(ref);
      if (!result) return;
      if (isFinished(result.status)) {
        parts.set(runId, result);
        return;
      }
      const dir = runDir(ref);
      const handle = settleLocalRun(connection, { dir, result }, stop, context);
      const onCancel = (): void => handle.cancel();
      const onDetach = (): void => handle.detach();
      controls.cancel.addEventListener("abort", onCancel, { once: true });
      controls.detach.addEventListener("abort", onDetach, { once: true });
      try {
        parts.set(runId, await handle.result);
      } catch (error) {
        if (!(error instanceof ParityError && error.code === "RunFollowedElsewhere")) throw error;
        // Settled by another call right now (the Runs view recovers a part and its workload at once).
        parts.set(runId, await endSettledElsewhere(dir, runId, whole.result.runId, controls.cancel));
      } finally {
        controls.cancel.removeEventListener("abort", onCancel);
        controls.detach.removeEventListener("abort", onDetach);
      }
    }),
  );
  return parts;
}

/** How long settling a workload waits for a part that another call settles at the same moment. */
const PART_SETTLED_ELSEWHERE_MS = 30_000;

/** The end of a part another call settles now, once its record says it; refused when it does not come. */
async function endSettledElsewhere(
  dir: string,
  runId: string,
  wholeId: string,
  signal: AbortSignal,
): Promise<RunResult> {
  const result = await awaitRecordedEnd({ dir }, { timeoutMs: PART_SETTLED_ELSEWHERE_MS, signal });
  if (isFinished(result.status)) return result;
  throw new ParityError(
    "RunFollowedElsewhere",
    `Run ${runId}, a part of ${wholeId}, is followed by another process, so ${wholeId} is left as it is until that part ends.`,
    { fix: `Run any parity command again once it has ended: parity logs ${runId} --follow shows when.` },
  );
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

/** Lines the record lacked, written to it and passed to whoever follows, in order. */
async function passOn(lines: LogLine[], recorder: RunRecorder, logs: Emitter<LogLine>): Promise<void> {
  for (const line of lines) {
    logs.fire(line);
    await recorder.log(line);
  }
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
            gpu: record.productionGpu,
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
