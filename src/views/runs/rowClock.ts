/** How often a running row's duration is redrawn. */
export const TICK_MS = 1000;
/** How often the followers of the running rows are looked for (every this many ticks). */
export const FOLLOWER_CHECK_TICKS = 5;
/** How often every row is redrawn, so that a tooltip written later says its ages ("2 min ago") anew. */
export const AGES_MS = 60_000;

export interface RowClockDeps<Row> {
  /** The rows shown now. */
  rows(): readonly Row[];
  /** Whether a row shows a duration that grows. */
  ticks(row: Row): boolean;
  /**
   * The record folder of a ticking row whose follower may go away unseen (a CLI killed leaves its
   * claim and record as they were, so no watcher fires); undefined for one that has none.
   */
  followedFrom(row: Row): string | undefined;
  /** Redraws these rows (their items), without reading the records again. */
  redraw(rows: Row[]): void;
  /** Reads the records again: a row whose follower went away is shown so. */
  refresh(): void;
  /** Whether the process that followed the run recorded in the folder is gone (src/app/store). */
  followerGone(dir: string): Promise<boolean>;
}

/**
 * The Runs view's timers, only while it is visible: each second the running rows are redrawn (their
 * duration), every few seconds their followers are looked for (a file read and a signal 0 each),
 * and every minute every row is redrawn (the tooltip's ages). Hidden, nothing runs.
 */
export class RowClock<Row> {
  private ticker?: ReturnType<typeof setInterval>;
  private ager?: ReturnType<typeof setInterval>;
  private ticksSinceCheck = 0;
  private checking = false;

  constructor(private readonly deps: RowClockDeps<Row>) {}

  /** Call when the view's visibility or its rows change. */
  update(visible: boolean): void {
    const ticking = visible && this.deps.rows().some((row) => this.deps.ticks(row));
    if (ticking && !this.ticker) {
      this.ticksSinceCheck = 0;
      this.ticker = setInterval(() => this.tick(), TICK_MS);
    } else if (!ticking && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    if (visible && !this.ager) {
      this.ager = setInterval(() => this.deps.redraw([...this.deps.rows()]), AGES_MS);
    } else if (!visible && this.ager) {
      clearInterval(this.ager);
      this.ager = undefined;
    }
  }

  dispose(): void {
    this.update(false);
  }

  private tick(): void {
    const ticking = this.deps.rows().filter((row) => this.deps.ticks(row));
    this.deps.redraw(ticking);
    if (++this.ticksSinceCheck < FOLLOWER_CHECK_TICKS) return;
    this.ticksSinceCheck = 0;
    void this.checkFollowers(ticking);
  }

  private async checkFollowers(rows: Row[]): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const dirs = rows.map((row) => this.deps.followedFrom(row)).filter((dir) => dir !== undefined);
      const gone = await Promise.all(dirs.map((dir) => this.deps.followerGone(dir).catch(() => false)));
      if (gone.includes(true) && this.ticker) this.deps.refresh();
    } finally {
      this.checking = false;
    }
  }
}
