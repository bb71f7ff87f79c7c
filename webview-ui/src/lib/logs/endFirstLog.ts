import type { LogFilter, LogLine } from "../../../../src/protocol/logs";
import { LineStore } from "./lineStore";

/** A store's kept lines as the host sent them (their text as the store keeps it). */
function linesOf(store: LineStore): LogLine[] {
  const lines: LogLine[] = [];
  for (let number = store.dropped; number < store.end; number++) {
    const source = store.source(number);
    lines.push({
      stream: store.stream(number),
      text: store.text(number),
      time: 0,
      ...(source ? { source } : {}),
    });
  }
  return lines;
}

/**
 * A log that arrives end first (see src/protocol/logs.ts): its end and the lines after it in one
 * store, shown at once; the lines before the end in a second store while they load; the two
 * joined, in the log's order, when the last earlier line is in. Line numbers count from the first
 * line the page holds, so once joined they are the lines' places in the log.
 */
export class EndFirstLog {
  private current: LineStore;
  private head?: LineStore;
  private filter: LogFilter;

  constructor(
    filter: LogFilter,
    private readonly maxLines?: number,
  ) {
    this.filter = filter;
    this.current = this.newStore();
  }

  /** The lines shown: the whole log once loaded, its end (and what followed) while loading. */
  get store(): LineStore {
    return this.current;
  }

  /** Earlier lines are still coming. */
  get loading(): boolean {
    return this.head !== undefined;
  }

  /** Earlier lines loaded so far. */
  get loadedEarlier(): number {
    return this.head?.size ?? 0;
  }

  /** The log's end replaces everything; `earlier`: lines before it will come. */
  end(lines: readonly LogLine[], earlier: boolean): void {
    this.current = this.newStore();
    this.current.append(lines);
    this.head = earlier ? this.newStore() : undefined;
  }

  /** New lines after the end; returns the numbers of those the filter shows (LineStore.append). */
  append(lines: readonly LogLine[]): number[] {
    return this.current.append(lines);
  }

  /**
   * Earlier lines, in order. With the last batch (`done`) the log is joined and this returns how
   * far the numbers of the lines shown so far moved (they now count from the log's first line).
   */
  earlier(lines: readonly LogLine[], done: boolean): number | undefined {
    if (!this.head) return undefined;
    this.head.append(lines);
    if (!done) return undefined;
    const joined = this.head;
    const shift = joined.end - this.current.dropped;
    joined.append(linesOf(this.current));
    this.current = joined;
    this.head = undefined;
    return shift;
  }

  /** The log was replaced: nothing is shown until its lines come. */
  reset(): void {
    this.end([], false);
  }

  setFilter(filter: LogFilter): void {
    this.filter = filter;
    this.current.setFilter(filter);
    this.head?.setFilter(filter);
  }

  private newStore(): LineStore {
    const store = new LineStore(this.maxLines);
    store.setFilter(this.filter);
    return store;
  }
}
