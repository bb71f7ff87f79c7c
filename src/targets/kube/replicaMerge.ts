import type { LogLine } from "../../core/job/types";

interface Queue {
  lines: { line: LogLine; arrived: number }[];
  open: boolean;
  /** The time of the last line it sent: its next ones are not expected before it. */
  lastTime: number;
}

/**
 * The logs of a run's containers (its replicas) as one log ordered by their times. Each container's
 * lines keep their own order (its two pipes' times can go back); across containers, the line with
 * the earliest time goes first. Followed live, a line waits until every container still followed
 * has sent a line at least as late, so that a line arriving later cannot belong before it, but no
 * longer than `holdMs`: a quiet replica holds the others back that long at most, and a line from
 * it later than that may come after lines with later times.
 */
export class ReplicaMerge {
  private readonly queues = new Map<string, Queue>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly onLine: (line: LogLine) => void,
    private readonly holdMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A container whose log is followed from now on. */
  open(key: string): void {
    if (!this.queues.has(key)) this.queues.set(key, { lines: [], open: true, lastTime: -Infinity });
  }

  add(key: string, line: LogLine): void {
    this.push(key, line);
    this.release(false);
  }

  /** Lines of several containers at once (each log read in full at the end), merged with what waits. */
  addAll(lines: Map<string, LogLine[]>): void {
    for (const [key, each] of lines) for (const line of each) this.push(key, line);
    this.release(false);
  }

  /** The container's log ended: nothing more comes from it. */
  close(key: string): void {
    const queue = this.queues.get(key);
    if (queue) queue.open = false;
    this.release(false);
  }

  /** Everything still waiting, in order: following has stopped. */
  flush(): void {
    this.release(true);
  }

  private push(key: string, line: LogLine): void {
    this.open(key);
    const queue = this.queues.get(key)!;
    queue.lines.push({ line, arrived: this.now() });
    queue.lastTime = Math.max(queue.lastTime, line.time);
  }

  private release(all: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (;;) {
      let first: Queue | undefined;
      for (const queue of this.queues.values()) {
        const head = queue.lines[0];
        if (head && (!first || head.line.time < first.lines[0]!.line.time)) first = queue;
      }
      if (!first) return;
      const head = first.lines[0]!;
      const waitedEnough = this.now() - head.arrived >= this.holdMs;
      const nothingEarlierToCome = [...this.queues.values()].every(
        (queue) =>
          queue === first || !queue.open || queue.lines.length > 0 || queue.lastTime >= head.line.time,
      );
      if (!all && !waitedEnough && !nothingEarlierToCome) {
        const wait = this.holdMs - (this.now() - head.arrived);
        this.timer = setTimeout(() => this.release(false), wait);
        this.timer.unref?.();
        return;
      }
      first.lines.shift();
      this.onLine(head.line);
    }
  }
}
