import { Emitter, type Disposable } from "../core/events";
import type { ClusterHealth } from "../core/cluster/snapshot";

/** What the status bar says about the cluster target; vscode-free so it is tested on its own. */
export interface ClusterStatusState {
  context?: string;
  namespace?: string;
  health?: ClusterHealth;
  viewVisible: boolean;
  /** Cluster runs started from this window, building or running. */
  activeRuns: number;
}

/** The cluster target as the Cluster view and the cluster runs of this window see it. */
export class ClusterStatus implements Disposable {
  private current: ClusterStatusState = { viewVisible: false, activeRuns: 0 };
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  get state(): ClusterStatusState {
    return this.current;
  }

  /** Shown only while a cluster run is active or the Cluster view is visible. */
  get shown(): boolean {
    return this.current.context !== undefined && (this.current.viewVisible || this.current.activeRuns > 0);
  }

  update(change: Partial<Omit<ClusterStatusState, "activeRuns">>): void {
    this.current = { ...this.current, ...change };
    this.changed.fire(undefined);
  }

  /** A cluster run of this window begins; the returned function ends it. */
  runStarted(): () => void {
    this.current = { ...this.current, activeRuns: this.current.activeRuns + 1 };
    this.changed.fire(undefined);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.current = { ...this.current, activeRuns: this.current.activeRuns - 1 };
      this.changed.fire(undefined);
    };
  }

  dispose(): void {
    this.changed.dispose();
  }
}
