import { readlink, realpath } from "node:fs/promises";
import path from "node:path";

/** As the kernel's limit on symlinks followed in one lookup. */
const MAX_SYMLINKS = 40;

/**
 * Where `file` really is, with every symlink followed, though it may not exist yet: the real path
 * of its longest existing part, then the rest as written. A symlink whose target does not exist
 * yet leads on to that target, as mkdir would follow it.
 */
export async function realPathOf(file: string): Promise<string> {
  return follow(path.resolve(file), 0);
}

async function follow(absolute: string, hops: number): Promise<string> {
  try {
    return await realpath(absolute);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const parent = path.dirname(absolute);
  if (parent === absolute) return absolute;
  const here = path.join(await follow(parent, hops), path.basename(absolute));
  const target = await readlink(here).catch(() => undefined);
  if (target === undefined) return here;
  if (hops >= MAX_SYMLINKS) {
    throw Object.assign(new Error(`Too many symbolic links on the way to ${absolute}.`), { code: "ELOOP" });
  }
  return follow(path.resolve(path.dirname(here), target), hops + 1);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
