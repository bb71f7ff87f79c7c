import { hostname } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
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
  const takeover = `${file}.takeover`;
  const me: Follower = { pid: process.pid, host: hostname() };
  let released: Promise<void> | undefined;
  // Once only: a second call could remove the claim another process made since.
  const release = () => (released ??= rm(file, { force: true }));
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt += 1) {
    if (await linkInPlace(file, me)) return release;
    const holder = await readHolder(file);
    if (holder && isAlive(holder)) throw followedElsewhere(runId, holder, me);
    // The holder went away (a window reloaded, a CLI killed): its claim is stale. Only one process
    // at a time takes a stale claim over (under the take-over lock), or two could each remove the
    // other's fresh claim and both follow the run.
    if (!(await linkInPlace(takeover, me))) {
      const taker = await readHolder(takeover);
      if (!taker || !isAlive(taker)) await rm(takeover, { force: true }); // It died taking over.
      await new Promise((resolve) => setTimeout(resolve, TAKEOVER_WAIT_MS));
      continue;
    }
    try {
      const current = await readHolder(file);
      if (current && isAlive(current)) throw followedElsewhere(runId, current, me);
      // Nobody else removes a claim while this process holds the take-over lock, and nobody can
      // link one while the stale claim is there: it is removed, and the next link decides.
      await rm(file, { force: true });
      if (await linkInPlace(file, me)) return release;
    } finally {
      await rm(takeover, { force: true });
    }
  }
  throw new ParityError("RunFollowedElsewhere", `Run ${runId} was claimed by another process just now.`, {
    fix: "Try again in a moment.",
  });
}

/** How often, and how long apart, a process waits for another's take-over of a stale claim. */
const TAKEOVER_ATTEMPTS = 100;
const TAKEOVER_WAIT_MS = 10;

/**
 * Puts `who` into `file` unless it exists: written whole under a name of its own, then linked into
 * place (which fails if the file exists), so nobody can read a half-written claim. False when it exists.
 */
async function linkInPlace(file: string, who: Follower): Promise<boolean> {
  const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(draft, JSON.stringify(who));
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}

function followedElsewhere(runId: string, holder: Follower, me: Follower): ParityError {
  return new ParityError(
    "RunFollowedElsewhere",
    `Run ${runId} is already followed by process ${holder.pid}${holder.host === me.host ? "" : ` on ${holder.host}`}.`,
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
