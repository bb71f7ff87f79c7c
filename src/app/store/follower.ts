import { hostname } from "node:os";
import { join } from "node:path";
import { link, readFile, rm, writeFile } from "node:fs/promises";
import { ParityError } from "../../core/errors";

/**
 * Names the process that follows a run and writes its record (a CLI, a window); one at a time, or
 * lines are recorded twice. It is there from before the first record is written until after the
 * last, so a record that says a run is live with no live follower was left behind by a process
 * that went away (killed, crashed): see followerGone and src/app/reconcile.ts.
 */
const LOCK_FILE = "follower.json";

interface Follower {
  pid: number;
  host: string;
}

/**
 * Claims the right to follow the run recorded in `runDir`: refused while another live process on
 * this machine holds it (a CLI still running, another window), taken over from one that went away.
 * Returns the release.
 */
export async function claimFollower(runDir: string, runId: string): Promise<() => Promise<void>> {
  const file = join(runDir, LOCK_FILE);
  const me: Follower = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      // Written whole under another name, then linked into place (which fails if the claim exists):
      // nobody can read a half-written claim and take it for a stale one.
      const draft = `${file}.${process.pid}.tmp`;
      await writeFile(draft, JSON.stringify(me));
      try {
        await link(draft, file);
      } finally {
        await rm(draft, { force: true });
      }
      let released: Promise<void> | undefined;
      // Once only: a second call could remove the claim another process made since.
      return () => (released ??= rm(file, { force: true }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readHolder(file);
    if (holder && isAlive(holder)) {
      throw new ParityError(
        "RunFollowedElsewhere",
        `Run ${runId} is already followed by process ${holder.pid}${holder.host === me.host ? "" : ` on ${holder.host}`}.`,
        {
          fix: "Its record and logs update as it goes: parity logs without --follow prints what is recorded.",
        },
      );
    }
    // The holder went away (a window reloaded, a CLI killed): its claim is stale.
    await rm(file, { force: true });
  }
  throw new ParityError("RunFollowedElsewhere", `Run ${runId} was claimed by another process just now.`, {
    fix: "Try again in a moment.",
  });
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
export async function lastFollower(runDir: string): Promise<{ pid: number; host: string } | undefined> {
  return readHolder(join(runDir, LOCK_FILE));
}

async function readHolder(file: string): Promise<Follower | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Follower;
  } catch {
    return undefined; // Cut short by a crash mid-write: nobody holds it.
  }
}

/** A holder on another machine (a shared folder) cannot be checked: it counts as alive. */
function isAlive(holder: Follower): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
