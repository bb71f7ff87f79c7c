import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { insideWorkspace } from "./parityFolder";
import { PARITY_DIR } from "./runRef";

/** Where succeeded pipeline steps are remembered: `<workspace>/.parity/cache/steps/<key>.json`. */
const STEP_CACHE_DIR = path.join(PARITY_DIR, "cache", "steps");

/** A succeeded step run that a step with the same key may reuse instead of running again. */
export interface CachedStep {
  /** The step run whose outputs are reused. */
  runId: string;
  /** Its outputs folder (absolute), and each output file's sha256 as it was saved. */
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

function entryFile(workspaceDir: string, key: string): string {
  return path.join(workspaceDir, STEP_CACHE_DIR, `${key.replace(/[^a-f0-9]/g, "")}.json`);
}

/**
 * The succeeded run remembered under `key`, only while its outputs are still there with the very
 * bytes it saved (a run folder removed or a file changed since is a miss, not a wrong input).
 */
export async function lookupStep(workspaceDir: string, key: string): Promise<CachedStep | undefined> {
  let entry: CachedStep;
  try {
    entry = JSON.parse(await readFile(entryFile(workspaceDir, key), "utf8")) as CachedStep;
  } catch {
    return undefined;
  }
  for (const [name, digest] of Object.entries(entry.outputs ?? {})) {
    const file = path.join(entry.outputsDir, name);
    const now = await fileDigest(file).catch(() => undefined);
    if (now !== digest) return undefined;
  }
  return entry;
}

/** Remembers a succeeded step run under `key` (written whole, then renamed into place). */
export async function rememberStep(workspaceDir: string, key: string, entry: CachedStep): Promise<void> {
  const file = entryFile(workspaceDir, key);
  const dir = await insideWorkspace(workspaceDir, path.dirname(file));
  await mkdir(dir, { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(entry, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
