import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import startClusterForProject from "../../cluster/harness/global-setup";
import { startRegistry } from "../../registry/harness/registry";
import { installExtension, noteRunning, stopLeftovers } from "./codeServer";
import { repoRoot, resultsDir } from "./paths";

export interface E2eSetup {
  codeServerBin: string;
  extensionsDir: string;
  vsix: string;
  vsixBytes: number;
  /** This run's vitest process: windows note it, so the teardown (or a later run) cleans up after them. */
  runner: number;
}

declare module "vitest" {
  export interface ProvidedContext {
    parityE2e: E2eSetup;
    /** The loopback registry cluster runs push to: "127.0.0.1:<port>". */
    parityRegistry: { host: string };
  }
}

/**
 * Once for the e2e project: code-server installed (cached), the extension packaged as a VSIX and
 * installed into a private extensions folder, exactly as a user installs it; the test control plane
 * and a loopback registry for the cluster tests. The Docker engine and
 * the base image are scripts/test.sh's business; a run of this project alone checks for them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  // Screenshots of this run only (CI keeps the folder as an artifact).
  rmSync(resultsDir, { recursive: true, force: true });
  const log = (line: string) => console.log(`[e2e] ${line}`);
  await stopLeftovers(log);
  const codeServerBin =
    process.env.PARITY_CODE_SERVER ??
    execFileSync("bash", [path.join(repoRoot, "scripts/ensure-code-server.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  const vsix = path.join(repoRoot, ".cache", "parity.vsix");
  if (!process.env.PARITY_E2E_SKIP_PACKAGE) {
    execFileSync(process.execPath, [path.join(repoRoot, "scripts/package-vsix.mjs"), "--out", vsix], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  const vsixBytes = statSync(vsix).size;
  // The CLI (bin/parity.js) is used by tests to prepare images; make sure a base image exists.
  execFileSync(process.execPath, [path.join(repoRoot, "bin/parity.js"), "base-image", "--if-missing"], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const extensionsDir = mkdtempSync(path.join(tmpdir(), "parity-e2e-extensions-"));
  const note = noteRunning(process.pid, { extensionsDir, runner: process.pid });
  const output = await installExtension(codeServerBin, vsix, extensionsDir);
  log(`${output.split("\n").at(-1)}`);
  // The cluster tests: the test control plane (provides parityCluster, as for the cluster project)
  // and a registry on loopback that their images are pushed to.
  const stopCluster = await startClusterForProject(project);
  const registry = await startRegistry();
  project.provide("parityRegistry", { host: registry.host });
  log(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: VSIX ${vsixBytes} bytes, code-server ${codeServerBin}, registry ${registry.host}`,
  );
  project.provide("parityE2e", { codeServerBin, extensionsDir, vsix, vsixBytes, runner: process.pid });
  return async () => {
    await registry.stop().catch((error: unknown) => log(`registry: ${String(error)}`));
    await stopCluster();
    // Windows of this run that a test left open (its worker was killed, a hook timed out): their
    // code-servers, the containers of the runs they recorded, their folders.
    await stopLeftovers(log, process.pid);
    rmSync(extensionsDir, { recursive: true, force: true });
    rmSync(note, { force: true });
  };
}
