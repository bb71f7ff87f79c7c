import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const DOWNLOAD_ATTEMPTS = 3;
const DOWNLOAD_TIMEOUT_MS = 300_000;

/** The Go module cache the build script uses, so module zips are downloaded once per machine. */
export function goEnvironment(cacheDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: "local",
    GOFLAGS: "-mod=mod",
    GOMODCACHE: join(cacheDir, "cluster", "go", "mod"),
    GOCACHE: join(cacheDir, "cluster", "go", "build"),
  };
}

/**
 * The unpacked folder of a module zip from the Go module proxy (`go mod download -json`).
 * Kubeflow's CRDs and kwok's stages are read from there at test time; nothing is vendored.
 */
export async function moduleDir(module: string, cacheDir: string, inModule?: string): Promise<string> {
  const scratch = inModule ?? mkdtempSync(join(tmpdir(), "parity-gomod-"));
  try {
    // The module proxy can be slow or drop a connection: bounded tries, each with a deadline.
    for (let attempt = 1; ; attempt++) {
      try {
        const { stdout } = await run("go", ["mod", "download", "-json", module], {
          cwd: scratch,
          env: goEnvironment(cacheDir),
          maxBuffer: 16 * 1024 * 1024,
          timeout: DOWNLOAD_TIMEOUT_MS,
        });
        const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
        if (!info.Dir) throw new Error(`go mod download ${module}: ${info.Error ?? "no folder"}`);
        return info.Dir;
      } catch (error) {
        if (attempt >= DOWNLOAD_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, attempt * 5_000));
      }
    }
  } finally {
    if (!inModule) rmSync(scratch, { recursive: true, force: true });
  }
}
