import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { cacheDir, clusterBinaries } from "./binaries.js";
import { loadState, startCluster, stopCluster, type ClusterState } from "./cluster.js";
import { isOurs } from "./processes.js";

declare module "vitest" {
  export interface ProvidedContext {
    parityCluster: ClusterState;
  }
}

/**
 * Brings the control plane up once for the suites that need it (the `cluster` vitest project)
 * and stops it by pid afterwards, whether the tests passed or not.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const binDir = await clusterBinaries();
  const workDir = mkdtempSync(join(tmpdir(), "parity-cluster-"));
  const state = await startCluster({
    binDir,
    workDir,
    cacheDir: cacheDir(),
    log: (line) => console.log(`[cluster] ${line}`),
  }).catch((error: unknown) => {
    // startCluster has printed the component logs and stopped what it started.
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  });
  console.log(
    `[cluster] ready in ${((Date.now() - started) / 1000).toFixed(1)} s; admin kubeconfig ${state.kubeconfigs.admin}`,
  );
  project.provide("parityCluster", state);
  // If vitest exits without running the teardown (a crash, an uncaught error), still leave no
  // control plane behind: kill the recorded pids synchronously on the way out.
  const killLeftovers = () => {
    for (const component of (loadState(workDir) ?? state).components) {
      if (isOurs(component)) process.kill(component.pid, "SIGKILL");
    }
  };
  process.once("exit", killLeftovers);
  return async () => {
    // Tests may have restarted a component: stop the pids recorded last, not the first ones.
    await stopCluster(loadState(workDir) ?? state);
    process.off("exit", killLeftovers);
    if (!process.env.PARITY_KEEP_CLUSTER) rmSync(workDir, { recursive: true, force: true });
  };
}
