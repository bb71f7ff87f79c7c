import type { ClusterRunRef, RunResult, TimelineEntry } from "../../../core/job/types";
import type { Disposable } from "../../../core/events";
import {
  createDetachableRunHandle,
  type DetachableRunHandle,
  type FollowControls,
} from "../../../targets/runHandle";
import type { SessionContext } from "../../context";
import { runDir, type RunRef } from "../../store/runRef";
import { readRecordNow, type StoredRun } from "../../store/runStore";
import { connectWhereItRuns, type RunConnection } from "./workloads";

/** How often a run whose API server does not answer looks whether its context now points elsewhere. */
const MOVE_CHECK_MS = 5_000;
/** How long one such look may take (a kubeconfig's credential plugin, the new server's answer). */
const MOVE_LOOK_TIMEOUT_MS = 10_000;

/** The record's own word that the run is followed at its cluster's new address. */
export function movedEntry(ref: ClusterRunRef, to: string, now = new Date()): TimelineEntry {
  return {
    time: now.toISOString(),
    object: `${ref.kind}/${ref.name}`,
    type: "Normal",
    reason: "ClusterMoved",
    message: `Context ${ref.context} now points at ${to} instead of ${ref.server}, and the same ${ref.kind} (uid ${ref.uid}) runs there: Parity follows it at the new address.`,
  };
}

/**
 * A followed cluster run that goes on following when its cluster moves. The run is followed on the
 * server it was submitted to; while that server does not answer, the run's context is resolved
 * again from the kubeconfig every few seconds, and when it now names another server where the same
 * workload runs, following moves there (`attach` follows the record from where it stands: no log
 * line twice). Cancel and detach reach whichever follower is current.
 */
export function followAcrossMoves(
  context: SessionContext,
  run: RunRef,
  first: DetachableRunHandle,
  attach: (stored: StoredRun, where: RunConnection) => DetachableRunHandle,
  checkEveryMs = MOVE_CHECK_MS,
): DetachableRunHandle {
  return createDetachableRunHandle(first.runId, async (controls) => {
    let current = first;
    for (;;) {
      const step = await followUntilMoved(context, run, current, controls, checkEveryMs);
      if (step.ended) return step.ended;
      controls.unreachable.fire(undefined);
      current = attach(step.stored, step.where);
    }
  });
}

type Step =
  | { ended: RunResult; stored?: undefined; where?: undefined }
  | { ended?: undefined; stored: StoredRun; where: RunConnection };

async function followUntilMoved(
  context: SessionContext,
  run: RunRef,
  handle: DetachableRunHandle,
  controls: FollowControls,
  checkEveryMs: number,
): Promise<Step> {
  let moved: RunConnection | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let looking: AbortController | undefined;
  /** Set once following here ends: no look starts or schedules another after that. */
  let stopped = false;
  const stopLooking = () => {
    clearTimeout(timer);
    timer = undefined;
    looking?.abort();
    looking = undefined;
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void look(), ms);
    timer.unref?.();
  };
  // One look at a time, each with its own controller: a look overtaken (the server answered, or
  // following ended) sees its own controller aborted and schedules nothing.
  const look = async () => {
    const mine = new AbortController();
    looking = mine;
    const ref = readRecordNow(run)?.cluster;
    if (!ref || moved || stopped) return;
    const signal = AbortSignal.any([mine.signal, AbortSignal.timeout(MOVE_LOOK_TIMEOUT_MS)]);
    const where = await connectWhereItRuns({ ...context, signal }, run.runId, ref).catch(() => undefined);
    if (mine.signal.aborted || stopped) return;
    if (!where?.movedFrom || controls.cancel.aborted || controls.detach.aborted) {
      schedule(checkEveryMs);
      return;
    }
    moved = where;
    handle.detach();
  };
  const subscriptions: Disposable[] = [
    handle.onStatus((status) => controls.status.fire(status)),
    handle.onLog((line) => controls.logs.fire(line)),
    handle.onUnreachable?.((since) => {
      controls.unreachable.fire(since);
      stopLooking();
      if (since) schedule(0);
    }) ?? { dispose() {} },
  ];
  const cancel = () => handle.cancel();
  const detach = () => handle.detach();
  // Asked while following moved from one server to the other: the new follower does it.
  if (controls.cancel.aborted) cancel();
  else controls.cancel.addEventListener("abort", cancel, { once: true });
  if (controls.detach.aborted) detach();
  else controls.detach.addEventListener("abort", detach, { once: true });
  try {
    const ended = await handle.result;
    // Cancelled as following moved: the workload is deleted at the new address.
    if (!moved || controls.detach.aborted) return { ended };
    return { stored: { dir: runDir(run), result: ended }, where: moved };
  } finally {
    stopped = true;
    stopLooking();
    for (const subscription of subscriptions) subscription.dispose();
    controls.cancel.removeEventListener("abort", cancel);
    controls.detach.removeEventListener("abort", detach);
  }
}
