import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { isFinished } from "../../core/workload/status";
import { workloadOf } from "../../core/workload/types";
import type { SessionContext } from "../context";
import { targetNamed } from "../targets";
import type { Confirmation } from "../targets/target";
import { awaitRecordedEnd, listRuns, listRunsBelow, type StoredRun } from "../store/runStore";

/**
 * Endpoint records below the current folder, newest first; only live ones unless `all`. With
 * `refresh`, a cluster endpoint's record is first read again from its InferenceService (one look
 * each: deleted meanwhile, it ends; a cluster that does not answer leaves the record as it was).
 */
export async function listEndpoints(
  context: Pick<SessionContext, "cwd"> & Partial<SessionContext>,
  all = false,
  refresh = false,
): Promise<StoredRun[]> {
  const endpoints = (await listRunsBelow(context.cwd)).filter(
    (run) => workloadOf(run.result).kind === "endpoint",
  );
  const current =
    refresh && context.env
      ? await Promise.all(endpoints.map((run) => refreshed(context as SessionContext, run)))
      : endpoints;
  return current.filter((run) => all || !isFinished(run.result.status));
}

/** How long one cluster endpoint's record may take to be read again. */
const REFRESH_MS = 10_000;

async function refreshed(context: SessionContext, run: StoredRun): Promise<StoredRun> {
  const target = targetNamed(run.result.target);
  if (!target.outlivesFollower || isFinished(run.result.status)) return run;
  try {
    const handle = await target.attach({ ...context, signal: AbortSignal.timeout(REFRESH_MS) }, run);
    return { dir: run.dir, result: await handle.result };
  } catch {
    return run;
  }
}

/** Whether a stored endpoint is the one a user names: by its model's name, or its run id. */
export function isEndpointNamed(run: StoredRun, nameOrId: string): boolean {
  return run.result.runId === nameOrId || run.result.endpoint?.name === nameOrId;
}

/** How long a replaced or stopped endpoint's record is waited for to say it ended. */
const STOPPED_WITHIN_MS = 20_000;

/**
 * Stops live endpoints named `nameOrId` (a model's name, or a run id) below the current folder:
 * each through its target (a local one's container is stopped), then waited for until its record
 * says it ended. Refused when none is live under that name.
 */
export async function stopEndpoints(
  context: SessionContext,
  nameOrId: string,
  confirmation: Confirmation = {},
): Promise<RunResult[]> {
  const live = (await listEndpoints(context)).filter((run) => isEndpointNamed(run, nameOrId));
  if (live.length === 0) {
    throw new ParityError(
      "EndpointNotFound",
      `No endpoint named ${nameOrId} is serving below ${context.cwd}.`,
      {
        fix: "parity endpoints lists the endpoints that serve, with their names.",
      },
    );
  }
  return Promise.all(live.map((run) => stopOne(context, run, confirmation)));
}

/**
 * Stops one endpoint through its target: a local container is stopped (its follower, or the
 * settling that follows, records the end); a cluster's InferenceService is deleted (with the name
 * typed in a protected namespace), and its record read again from the cluster.
 */
async function stopOne(
  context: SessionContext,
  run: StoredRun,
  confirmation: Confirmation = {},
): Promise<RunResult> {
  const target = targetNamed(run.result.target);
  await target.cancel(context, run, confirmation);
  if (target.outlivesFollower) return (await target.attach(context, run)).result;
  return awaitRecordedEnd(run, { timeoutMs: STOPPED_WITHIN_MS, signal: context.signal });
}

/**
 * Stops the local endpoints of a workspace serving under `name`, other than `runId`: a new model
 * under the same name replaces the old one (one URL per name). Their run ids.
 */
export async function stopLiveEndpoints(
  context: SessionContext,
  workspaceDir: string,
  name: string,
  runId: string,
): Promise<string[]> {
  const live = (await listRuns(workspaceDir)).filter(
    (run) =>
      workloadOf(run.result).kind === "endpoint" &&
      run.result.target === "local" &&
      !isFinished(run.result.status) &&
      run.result.endpoint?.name === name &&
      run.result.runId !== runId,
  );
  await Promise.all(live.map((run) => stopOne(context, run)));
  return live.map((run) => run.result.runId);
}
