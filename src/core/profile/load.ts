import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ParityError } from "../errors";
import { parseProfile } from "./parse";
import type { ResolvedProfile } from "./types";

export { PROFILE_FILE_NAMES } from "./fileNames";
import { PROFILE_FILE_NAMES } from "./fileNames";

/** Reads and parses a parity.yaml; the only file read in the profile code besides the lookup below. */
export async function loadProfile(file: string): Promise<ResolvedProfile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ParityError("ProfileUnreadable", `Could not read the profile ${file}.`, {
      location: { file },
      fix: isMissing(error)
        ? "Create it (the README shows a complete parity.yaml), or check the path."
        : "Check its permissions.",
      cause: error,
    });
  }
  return parseProfile(text, file);
}

/**
 * The nearest parity.yaml (or parity.yml) in `startDir` or a folder above it, up to and including
 * `stopDir` (the workspace root); undefined when there is none.
 */
export async function findProfileFile(startDir: string, stopDir: string): Promise<string | undefined> {
  const stop = path.resolve(stopDir);
  let dir = path.resolve(startDir);
  for (;;) {
    const found: string[] = [];
    for (const name of PROFILE_FILE_NAMES) {
      if (await isFile(path.join(dir, name))) found.push(path.join(dir, name));
    }
    if (found.length > 1) {
      throw new ParityError("ProfileAmbiguous", `Both ${found.join(" and ")} exist.`, {
        location: { file: found[0] },
        fix: "Keep one of them: Parity cannot tell which one is meant.",
      });
    }
    if (found[0]) return found[0];
    const parent = path.dirname(dir);
    if (dir === stop || parent === dir) return undefined;
    dir = parent;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
