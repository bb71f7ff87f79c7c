import { join } from "node:path";
import { hostname } from "node:os";
import { ParityError } from "../../core/errors";
import { claimFile, isAlive, readHolder, type Holder } from "../../targets/claim";

/**
 * Names the process that follows a run and writes its record (a CLI, a window); one at a time, or
 * lines are recorded twice. It is there from before the first record is written until after the
 * last, so a record that says a run is live with no live follower was left behind by a process
 * that went away (killed, crashed): see followerGone and src/app/reconcile.ts.
 */
const LOCK_FILE = "follower.json";

/**
 * Claims the right to follow the run recorded in `runDir`: refused while another live process on
 * this machine holds it (a CLI still running, another window), taken over from one that went away.
 * Returns the release.
 */
export async function claimFollower(runDir: string, runId: string): Promise<() => Promise<void>> {
  return claimFile(join(runDir, LOCK_FILE), {
    held: (holder) => Promise.reject(followedElsewhere(runId, holder)),
    contended: () =>
      new ParityError("RunFollowedElsewhere", `Run ${runId} was claimed by another process just now.`, {
        fix: "Try again in a moment.",
      }),
  });
}

function followedElsewhere(runId: string, holder: Holder): ParityError {
  return new ParityError(
    "RunFollowedElsewhere",
    `Run ${runId} is already followed by process ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`}.`,
    { fix: "Its record and logs update as it goes: parity logs without --follow prints what is recorded." },
  );
}

/**
 * Whether the process that followed the run recorded in `runDir` is gone: its claim names a process
 * of this machine that no longer exists, or there is no claim (it was never made, or the record is
 * older than claims for local runs). A follower on another machine counts as alive.
 */
export async function followerGone(runDir: string): Promise<boolean> {
  const holder = await lastFollower(runDir);
  return !holder || !isAlive(holder);
}

/** The process the run's claim names, alive or not; undefined without a claim. */
export async function lastFollower(runDir: string): Promise<Holder | undefined> {
  return readHolder(join(runDir, LOCK_FILE));
}
