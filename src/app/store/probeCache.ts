import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Environment } from "../../core/environment/types";
import { insideWorkspace } from "./parityFolder";
import { PARITY_DIR } from "./runRef";

/**
 * Probes already made, so that a warm run does no probe work twice: an image's environment by
 * its id (and the limits it was probed under), the notebook's interpreter while nothing on its
 * search path changed. Kept in the project's .parity/cache/probes; a damaged entry is a miss.
 */
interface Entry {
  key: string;
  /** Modification times (ms) of files and folders the probe depends on; any change is a miss. */
  stamps: Record<string, number>;
  environment: Environment;
}

const VERSION = 1;

function cacheDir(workspaceDir: string): string {
  return path.join(workspaceDir, PARITY_DIR, "cache", "probes");
}

function fileFor(workspaceDir: string, key: string): string {
  return path.join(
    cacheDir(workspaceDir),
    `${createHash("sha256").update(key).digest("hex").slice(0, 24)}.json`,
  );
}

/** The modification time of each path, or -1 where it does not exist. */
export async function stampsOf(paths: readonly string[]): Promise<Record<string, number>> {
  const stamps: Record<string, number> = {};
  await Promise.all(
    paths.map(async (file) => {
      stamps[file] = await stat(file).then(
        (info) => info.mtimeMs,
        () => -1,
      );
    }),
  );
  return stamps;
}

/** The cached environment for `key`, when every stamp still holds. */
export async function cachedProbe(workspaceDir: string, key: string): Promise<Environment | undefined> {
  const versioned = `${VERSION}\u0000${key}`;
  let entry: Entry;
  try {
    entry = JSON.parse(await readFile(fileFor(workspaceDir, versioned), "utf8")) as Entry;
  } catch {
    return undefined;
  }
  if (entry.key !== versioned || typeof entry.environment !== "object" || entry.environment === null)
    return undefined;
  const now = await stampsOf(Object.keys(entry.stamps ?? {}));
  const changed = Object.entries(entry.stamps ?? {}).some(([file, stamp]) => now[file] !== stamp);
  return changed ? undefined : entry.environment;
}

/** Keeps a probe's result; a cache that cannot be written only costs the next run a probe. */
export async function keepProbe(
  workspaceDir: string,
  key: string,
  environment: Environment,
  stamps: Record<string, number> = {},
): Promise<void> {
  const versioned = `${VERSION}\u0000${key}`;
  try {
    const dir = await insideWorkspace(workspaceDir, cacheDir(workspaceDir));
    await mkdir(dir, { recursive: true });
    const file = fileFor(workspaceDir, versioned);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ key: versioned, stamps, environment } satisfies Entry));
    await rename(temporary, file);
  } catch {
    // Read-only project, full disk, .parity outside the project: the next run probes again.
  }
}
