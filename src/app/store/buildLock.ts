import { mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CancelledError, ParityError } from "../../core/errors";
import { claimFile, type Holder } from "../../targets/claim";
import { insideWorkspace } from "./parityFolder";
import { PARITY_DIR } from "./runRef";

/** Where builds of a workspace's images take turns: `<workspace>/.parity/builds/<tag>.lock`. */
const BUILDS_DIR = path.join(PARITY_DIR, "builds");
/** How often a waiting build looks whether the one before it is done. */
const WAIT_MS = 250;

export interface BuildLockOptions {
  signal?: AbortSignal;
  /** Said once, when another live process is building the tag first. */
  onWait?(holder: Holder): void;
}

/**
 * Waits until no other process builds `tag` from this workspace, then holds the tag until the
 * release: several runs of one notebook started together build its image once, the others then
 * find it built. A lock left by a process that went away is taken over.
 */
export async function lockBuild(
  workspaceDir: string,
  tag: string,
  options: BuildLockOptions = {},
): Promise<() => Promise<void>> {
  const dir = await insideWorkspace(workspaceDir, path.join(workspaceDir, BUILDS_DIR));
  await mkdir(dir, { recursive: true });
  let told = false;
  return claimFile(path.join(dir, `${tag.replace(/[^A-Za-z0-9_.-]/g, "_")}.lock`), {
    held: async (holder) => {
      if (!told) options.onWait?.(holder);
      told = true;
      await sleep(WAIT_MS, undefined, { signal: options.signal }).catch(() => {
        throw new CancelledError();
      });
    },
    contended: () =>
      new ParityError("BuildLockContended", `Other processes kept taking over the build lock of ${tag}.`, {
        fix: "Build again in a moment.",
      }),
  });
}
