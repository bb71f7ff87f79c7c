import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { ParityError } from "../core/errors";

/**
 * Where Parity keeps what it builds once for every project (base images, the suggestion
 * process): $PARITY_CACHE_DIR; else /var/cache/parity for root, and the user's own cache folder
 * ($XDG_CACHE_HOME/parity, ~/.cache/parity) for anyone else, who could not write there.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): string {
  if (env.PARITY_CACHE_DIR) return env.PARITY_CACHE_DIR;
  if (uid === undefined || uid === 0) return "/var/cache/parity";
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || homedir(), ".cache"), "parity");
}

/** Makes a folder of the cache, or says which one could not be made and what to do. */
export async function makeCacheDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new ParityError(
      "CacheDirUnwritable",
      `Parity cannot create its cache folder ${dir}: ${(error as Error).message}.`,
      {
        fix: "Set PARITY_CACHE_DIR to a folder you can write to (with a few hundred MB free).",
        cause: error,
      },
    );
  }
}
