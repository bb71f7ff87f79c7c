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
  // Ports are chosen free and bound seconds later, so another process can take one meanwhile:
  // a failed start gets one more try, on fresh ports and a fresh folder.
  const attempt = async (): Promise<{ state: ClusterState; workDir: string }> => {
    const dir = mkdtempSync(join(tmpdir(), "parity-cluster-"));
    try {
      const log = (line: string) => console.log(`[cluster] ${line}`);
      return { state: await startCluster({ binDir, workDir: dir, cacheDir: cacheDir(), log }), workDir: dir };
    } catch (error) {
      // startCluster has printed the component logs and stopped what it started.
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  };
  const { state, workDir } = await attempt().catch((error: unknown) => {
    console.log(`[cluster] start-up failed (${(error as Error).message}); trying once more`);
    return attempt();
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
