import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const buildScript = join(dirname(fileURLToPath(import.meta.url)), "..", "build.sh");

export function cacheDir(): string {
  return process.env.PARITY_CACHE_DIR ?? "/var/cache/parity";
}

/**
 * The folder with the control-plane binaries: PARITY_CLUSTER_BIN when `scripts/test.sh` already
 * built them, else build.sh builds (cold, tens of minutes) or reuses (warm, a second) them now.
 */
export function clusterBinaries(): Promise<string> {
  const given = process.env.PARITY_CLUSTER_BIN;
  if (given) return Promise.resolve(given);
  return new Promise((resolve, reject) => {
    const child = execFile("bash", [buildScript], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      const lines = stdout.trim().split("\n");
      if (error) reject(new Error(`test/cluster/build.sh failed: ${error.message}`));
      else resolve(lines[lines.length - 1] ?? "");
    });
    child.stderr?.pipe(process.stderr);
  });
}
