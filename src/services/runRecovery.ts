import { homedir } from "node:os";
import path from "node:path";
import { isUnfinishedClusterRun } from "../core/job/unfinishedRun";
import type { StoredRun } from "../targets/store/runStore";
import type { ActiveRuns } from "./activeRuns";
import type { Heavy } from "./loadHeavy";

export interface ReattachDeps {
  activeRuns: ActiveRuns;
  heavy(): Promise<Heavy>;
  log(message: string): void;
  env: NodeJS.ProcessEnv;
}

/**
 * Cluster runs whose follower went away (a window reloaded, a CLI killed) stay "running" on disk
 * forever unless someone follows them again. This window does, once per run: it connects with
 * the run's own context and namespace, attaches, and the records it writes update the Runs view
 * and the panels. vscode-free, so it is tested on its own.
 */
export class ClusterReattach {
  private readonly tried = new Set<string>();

  constructor(private readonly deps: ReattachDeps) {}

  /** Call with the runs a view lists (in a trusted workspace: connecting may run kubeconfig plugins). */
  consider(runs: StoredRun[]): void {
    for (const run of runs) {
      if (!isUnfinishedClusterRun(run.result) || this.tried.has(run.dir)) continue;
      if (this.deps.activeRuns.find(run.result.runId)) continue;
      this.tried.add(run.dir);
      void this.attach(run);
    }
  }

  private async attach(stored: StoredRun): Promise<void> {
    const ref = stored.result.cluster!;
    const { runId } = stored.result;
    try {
      const heavy = await this.deps.heavy();
      const conn = await heavy.connectCluster({
        env: this.deps.env,
        homeDir: this.deps.env.HOME ?? homedir(),
        context: ref.context,
        namespace: ref.namespace,
      });
      const handle = heavy.attachClusterRun(conn, stored);
      const active = this.deps.activeRuns.adopt(
        stored.result.notebook,
        runId,
        // <workspace>/.parity/runs/<id> (runRecords.workspaceOfRunDir, which needs vscode)
        path.resolve(stored.dir, "..", "..", ".."),
        "cluster",
        { cancel: () => handle.cancel(), leave: () => handle.detach() },
      );
      this.deps.log(`Following cluster run ${runId} again (${ref.kind} ${ref.name} in ${ref.namespace}).`);
      const result = await handle.result.finally(() => this.deps.activeRuns.end(active));
      this.deps.log(`Cluster run ${runId} ended ${result.status}.`);
    } catch (error) {
      // Another process follows it, the cluster is unreachable, the context is gone: the record stays as it is.
      this.deps.log(
        `Cluster run ${runId} could not be followed again: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
