import type { SessionContext } from "../app/context";
import { abandonedRuns, wholesOf, workspaceOfRunDir, type StoredRun } from "../app/store";
import { ParityError } from "../core/errors";
import { isFinished } from "../core/workload/status";
import type { ActiveRuns } from "./activeRuns";
import type { App } from "./app";

export interface RecoveryDeps {
  activeRuns: ActiveRuns;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?(): number;
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
/** How long a record whose recovery failed (no engine, no cluster yet) waits before the next try. */
const RETRY_AFTER_MS = 30_000;

export class RunRecovery {
  /** Records tried, by folder: when each may be tried again (never, once it is recovered or followed). */
  private readonly tried = new Map<string, number>();

  constructor(private readonly deps: RecoveryDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * Call with the runs a view lists, in a trusted workspace (settling stops containers; following a
   * cluster run may run kubeconfig plugins). Returns those whose follower went away, recovered or not yet.
   */
  async consider(runs: StoredRun[]): Promise<StoredRun[]> {
    const candidates = runs.filter(
      (run) => !isFinished(run.result.status) && !this.deps.activeRuns.find(run.result.runId),
    );
    const abandoned = await abandonedRuns(candidates);
    for (const run of wholesOf(abandoned)) {
      if ((this.tried.get(run.dir) ?? 0) > this.now()) continue;
      this.tried.set(run.dir, Number.POSITIVE_INFINITY);
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
      // The engine or the cluster is unreachable: the record stays as it is, and is tried again later.
      // Another process that settles or follows it now makes it true itself.
      if (!(error instanceof ParityError && error.code === "RunFollowedElsewhere"))
        this.tried.set(stored.dir, this.now() + RETRY_AFTER_MS);
      this.deps.log(
        `Run ${runId} was left ${status} by a process that went away, and could not be settled or followed again: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
