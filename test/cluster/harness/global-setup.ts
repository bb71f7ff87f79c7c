import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";
import { cacheDir, clusterBinaries } from "./binaries.js";
import { loadState, startCluster, stopCluster, type ClusterState } from "./cluster.js";
import { katibApiProto } from "./katibController.js";
import { KatibProxy, PlayedKatibServer } from "./katibPlayed.js";
import { isOurs } from "./processes.js";
import { isAlive } from "../../helpers/system.js";

declare module "vitest" {
  export interface ProvidedContext {
    parityCluster: ClusterState;
  }
}

/**
 * Brings the control plane up once for the suites that need it (the `cluster` vitest project)
 * and stops it by pid afterwards, whether the tests passed or not.
 */
/** Where the running test cluster's folder is noted, so a run killed outright is cleaned up next time. */
const runningNote = (): string => join(cacheDir(), "cluster", "test-run.json");

/**
 * A vitest killed outright (SIGKILL, a CI timeout) runs no teardown and its detached components
 * live on. The next run stops them: only pids recorded by that run and still running our binaries.
 */
function stopLeftovers(): void {
  let workDir: string | undefined;
  let owner: number | undefined;
  try {
    ({ workDir, owner } = JSON.parse(readFileSync(runningNote(), "utf8")) as {
      workDir?: string;
      owner?: number;
    });
  } catch {
    return;
  }
  // Another test run on this machine still owns that control plane: leave it alone.
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) return;
  const leftover = workDir ? loadState(workDir) : undefined;
  for (const component of leftover?.components ?? []) {
    if (isOurs(component)) {
      console.log(`[cluster] stopping ${component.name} (pid ${component.pid}) left by a killed run`);
      process.kill(component.pid, "SIGKILL");
    }
  }
  if (workDir?.startsWith(join(tmpdir(), "parity-cluster-")))
    rmSync(workDir, { recursive: true, force: true });
  rmSync(runningNote(), { force: true });
}

/** The note names this run (a later concurrent run may have written its own). */
function ownsNote(): boolean {
  try {
    return (JSON.parse(readFileSync(runningNote(), "utf8")) as { owner?: number }).owner === process.pid;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  stopLeftovers();
  const binDir = await clusterBinaries();
  // What kwok cannot run of Katib, played in this process for every suite: its suggestion
  // services, DB manager and early stopping (one gRPC server), reached by the real controller
  // through a CONNECT proxy. They outlive the controller: it is stopped first (stopCluster).
  const played = await PlayedKatibServer.start(await katibApiProto(cacheDir()));
  const proxy = await KatibProxy.open(played.port);
  const katibPlayed = { grpcPort: played.port, proxyPort: proxy.port };
  const stopPlayed = async () => {
    await proxy.close();
    played.stop();
  };
  // Ports are chosen free and bound seconds later, so another process can take one meanwhile:
  // a failed start gets one more try, on fresh ports and a fresh folder.
  const attempt = async (): Promise<{ state: ClusterState; workDir: string }> => {
    const dir = mkdtempSync(join(tmpdir(), "parity-cluster-"));
    try {
      const log = (line: string) => console.log(`[cluster] ${line}`);
      return {
        state: await startCluster({ binDir, workDir: dir, cacheDir: cacheDir(), log, katibPlayed }),
        workDir: dir,
      };
    } catch (error) {
      // startCluster has printed the component logs and stopped what it started.
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  };
  const { state, workDir } = await attempt()
    .catch((error: unknown) => {
      console.log(`[cluster] start-up failed (${(error as Error).message}); trying once more`);
      return attempt();
    })
    .catch(async (error: unknown) => {
      await stopPlayed();
      throw error;
    });
  console.log(
    `[cluster] ready in ${((Date.now() - started) / 1000).toFixed(1)} s; admin kubeconfig ${state.kubeconfigs.admin}`,
  );
  project.provide("parityCluster", state);
  mkdirSync(dirname(runningNote()), { recursive: true });
  writeFileSync(runningNote(), JSON.stringify({ workDir, owner: process.pid }));
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
    await stopPlayed();
    process.off("exit", killLeftovers);
    if (ownsNote()) rmSync(runningNote(), { force: true });
    if (!process.env.PARITY_KEEP_CLUSTER) rmSync(workDir, { recursive: true, force: true });
  };
}
