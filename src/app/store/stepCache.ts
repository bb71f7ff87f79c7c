import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir, readdir, readFile, readlink, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { insideWorkspace } from "./parityFolder";
import { PARITY_DIR } from "./runRef";

/** Where succeeded pipeline steps are remembered: `<workspace>/.parity/cache/steps/<key>.json`. */
const STEP_CACHE_DIR = path.join(PARITY_DIR, "cache", "steps");

/** A succeeded step run that a step with the same key may reuse instead of running again. */
export interface CachedStep {
  /** The step run whose outputs are reused. */
  runId: string;
  /** Its outputs folder (absolute), and each output's sha256 as it was saved. */
  outputsDir: string;
  outputs: Record<string, string>;
  savedAt: string;
}

/** The sha256 of a file's bytes. */
export async function fileDigest(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The sha256 of a file, or of a folder's tree (each entry's relative path and its file's digest,
 * in name order; a symlink by its target's name, never followed): a KFP artifact may be either.
 */
export async function pathDigest(target: string): Promise<string> {
  const info = await lstat(target);
  if (!info.isDirectory())
    return info.isSymbolicLink() ? sha256(`link\0${await readlink(target)}`) : fileDigest(target);
  const hash = createHash("sha256");
  const entries = (await readdir(target)).sort();
  for (const name of entries) hash.update(`${name}\0${await pathDigest(path.join(target, name))}\0`);
  return hash.digest("hex");
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function entryFile(workspaceDir: string, key: string): string {
  return path.join(workspaceDir, STEP_CACHE_DIR, `${key.replace(/[^a-f0-9]/g, "")}.json`);
}

/**
 * The succeeded run remembered under `key`, only while `outputsNow` (its outputs as they are now,
 * by name and digest) says they are still there with the very bytes it saved: a run folder
 * removed or a file changed since is a miss, not a wrong input.
 */
export async function lookupStep(
  workspaceDir: string,
  key: string,
  outputsNow: (outputsDir: string) => Promise<Record<string, string>>,
): Promise<CachedStep | undefined> {
  let entry: CachedStep;
  try {
    entry = JSON.parse(await readFile(entryFile(workspaceDir, key), "utf8")) as CachedStep;
  } catch {
    return undefined;
  }
  const now = await outputsNow(entry.outputsDir).catch(() => undefined);
  if (!now) return undefined;
  const saved = entry.outputs ?? {};
  const same =
    Object.keys(now).length === Object.keys(saved).length &&
    Object.entries(saved).every(([name, digest]) => now[name] === digest);
  return same ? entry : undefined;
}

/** Remembers a succeeded step run under `key` (written whole, then renamed into place). */
export async function rememberStep(workspaceDir: string, key: string, entry: CachedStep): Promise<void> {
  const file = entryFile(workspaceDir, key);
  const dir = await insideWorkspace(workspaceDir, path.dirname(file));
  await mkdir(dir, { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(entry, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
