import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { link, readFile, rm, writeFile } from "node:fs/promises";
import type { ParityError } from "../core/errors";

/** The process holding a claim: on this machine its pid says whether it is still there. */
export interface Holder {
  pid: number;
  host: string;
}

export interface ClaimRules {
  /** A live process holds the claim: throw to give up, or resolve to try again (after waiting). */
  held(holder: Holder): Promise<void>;
  /** Other processes kept taking a stale claim over at the same moment: the error to give up with. */
  contended(): ParityError;
}

/** How often, and how long apart, a process waits for another's take-over of a stale claim. */
const TAKEOVER_ATTEMPTS = 100;
const TAKEOVER_WAIT_MS = 10;

/**
 * Claims `file` for this process, one process at a time: while a live process on this machine
 * holds it, `rules.held` decides; a claim left by a process that went away is taken over. Returns
 * the release.
 */
export async function claimFile(file: string, rules: ClaimRules): Promise<() => Promise<void>> {
  const takeover = `${file}.takeover`;
  const me: Holder = { pid: process.pid, host: hostname() };
  let released: Promise<void> | undefined;
  // Once only: a second call could remove the claim another process made since.
  const release = () => (released ??= rm(file, { force: true }));
  for (let contended = 0; contended < TAKEOVER_ATTEMPTS;) {
    if (await linkInPlace(file, me)) return release;
    const holder = await readHolder(file);
    if (holder && isAlive(holder)) {
      await rules.held(holder);
      continue;
    }
    // The holder went away (a window reloaded, a CLI killed): its claim is stale. Only one process
    // at a time takes a stale claim over (under the take-over lock), or two could each remove the
    // other's fresh claim and both go on.
    if (!(await linkInPlace(takeover, me))) {
      const taker = await readHolder(takeover);
      if (!taker || !isAlive(taker)) await rm(takeover, { force: true }); // It died taking over.
      await new Promise((resolve) => setTimeout(resolve, TAKEOVER_WAIT_MS));
      contended += 1;
      continue;
    }
    let live: Holder | undefined;
    try {
      const current = await readHolder(file);
      if (current && isAlive(current)) live = current;
      else {
        // Nobody else removes a claim while this process holds the take-over lock, and nobody can
        // link one while the stale claim is there: it is removed, and the next link decides.
        await rm(file, { force: true });
        if (await linkInPlace(file, me)) return release;
        contended += 1;
      }
    } finally {
      await rm(takeover, { force: true });
    }
    // Outside the take-over lock: a holder that waits must not keep others from taking over.
    if (live) await rules.held(live);
  }
  throw rules.contended();
}

/**
 * Puts `who` into `file` unless it exists: written whole under a name of its own, then linked into
 * place (which fails if the file exists), so nobody can read a half-written claim. False when it exists.
 */
async function linkInPlace(file: string, who: Holder): Promise<boolean> {
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

export async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Holder;
  } catch {
    return undefined; // Cut short by a crash mid-write: nobody holds it.
  }
}

/** A holder on another machine (a shared folder) cannot be checked: it counts as alive. */
export function isAlive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
