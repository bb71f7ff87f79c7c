import type { SessionContext } from "../app/context";
import { abandonedRuns, workspaceOfRunDir, type StoredRun } from "../app/store";
import { isFinished } from "../core/workload/status";
import type { ActiveRuns } from "./activeRuns";
import type { App } from "./app";

export interface RecoveryDeps {
  activeRuns: ActiveRuns;
  app(): Promise<Pick<App, "recoverRun">>;
  /** Where the application layer works: the user's Docker setting, the first workspace folder. */
  context(): SessionContext;
  log(message: string): void;
}

/**
 * Records that never lie, in the extension: a run recorded as going whose follower went away (a
 * window reloaded, a CLI killed) is made true once, when a view lists it. Its target decides how
 * (src/app/reconcile.ts): a local run is settled from its container at once; a cluster run is
 * followed again to its end here, adopted by this window like a run it started. vscode-free, so it
 * is tested on its own.
 */
export class RunRecovery {
  private readonly tried = new Set<string>();

  constructor(private readonly deps: RecoveryDeps) {}

  /**
   * Call with the runs a view lists, in a trusted workspace (settling stops containers; following a
   * cluster run may run kubeconfig plugins). Returns those whose follower went away, recovered or not yet.
   */
  async consider(runs: StoredRun[]): Promise<StoredRun[]> {
    const candidates = runs.filter(
      (run) => !isFinished(run.result.status) && !this.deps.activeRuns.find(run.result.runId),
    );
    const abandoned = await abandonedRuns(candidates);
    for (const run of abandoned) {
      if (this.tried.has(run.dir)) continue;
      this.tried.add(run.dir);
      void this.recover(run);
    }
    return abandoned;
  }

  private async recover(stored: StoredRun): Promise<void> {
    const { runId, status } = stored.result;
    try {
      const app = await this.deps.app();
      const recovery = await app.recoverRun(this.deps.context(), stored);
      if (recovery.result) {
        this.deps.log(
          `Run ${runId} was left ${status} by a process that went away; it is recorded ${recovery.result.status} now.`,
        );
        return;
      }
      const handle = recovery.handle;
      const active = this.deps.activeRuns.adopt(
        stored.result.notebook,
        runId,
        workspaceOfRunDir(stored.dir),
        stored.result.target,
        { cancel: () => handle.cancel(), leave: () => (handle.detach ? handle.detach() : handle.cancel()) },
      );
      this.deps.log(`Following run ${runId} again: the process that followed it went away.`);
      const result = await handle.result.finally(() => this.deps.activeRuns.end(active));
      this.deps.log(`Run ${runId} ended ${result.status}.`);
    } catch (error) {
      // Another process follows it, the engine or the cluster is unreachable: the record stays as it is.
      this.deps.log(
        `Run ${runId} could not be followed again: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
