import type { LineStore } from "./lineStore";

export interface Range {
  start: number;
  end: number;
}

/** Where `query` occurs in `text`, case-insensitively; `lowerQuery` must be lower case. */
export function findAll(text: string, lowerQuery: string): Range[] {
  if (!lowerQuery) return [];
  const lower = text.toLowerCase();
  const ranges: Range[] = [];
  let from = 0;
  for (;;) {
    const start = lower.indexOf(lowerQuery, from);
    if (start < 0) return ranges;
    ranges.push({ start, end: start + lowerQuery.length });
    from = start + lowerQuery.length;
  }
}

function count(text: string, lowerQuery: string): number {
  const lower = text.toLowerCase();
  let found = 0;
  for (let at = lower.indexOf(lowerQuery); at >= 0; at = lower.indexOf(lowerQuery, at + lowerQuery.length))
    found++;
  return found;
}

/**
 * Plain-text search over the filtered lines: which lines match, how many matches in all, and
 * which line is the current one. New lines are searched as they arrive.
 */
export class LogSearch {
  private query = "";
  private lowerQuery = "";
  /** Absolute line numbers with at least one match, ascending. */
  private lines: number[] = [];
  private start = 0;
  private occurrences: number[] = [];
  private total = 0;
  private current = -1;

  constructor(private readonly store: LineStore) {}

  get text(): string {
    return this.query;
  }

  get lowerText(): string {
    return this.lowerQuery;
  }

  /** Matches in the kept, filtered lines. */
  get matchCount(): number {
    return this.total;
  }

  get matchingLines(): number {
    return this.lines.length - this.start;
  }

  /** The line of the current match, or undefined. */
  get currentLine(): number | undefined {
    return this.current >= this.start ? this.lines[this.current] : undefined;
  }

  /** 1-based position of the current match line among the matching lines (0 when none). */
  get currentIndex(): number {
    return this.current >= this.start ? this.current - this.start + 1 : 0;
  }

  /** Searches everything kept again (a new query or a new filter). */
  setQuery(query: string): void {
    this.query = query;
    this.lowerQuery = query.toLowerCase();
    this.lines = [];
    this.occurrences = [];
    this.start = 0;
    this.total = 0;
    this.current = -1;
    if (!this.lowerQuery) return;
    for (let row = 0; row < this.store.rowCount; row++) this.consider(this.store.lineAt(row));
  }

  /** New lines that passed the filter, as LineStore.append returned them. */
  added(numbers: readonly number[]): void {
    this.forgetDropped();
    if (!this.lowerQuery) return;
    for (const number of numbers) this.consider(number);
  }

  /** Moves to the next (or previous) matching line after (before) `fromLine`, wrapping around. */
  step(direction: 1 | -1, fromLine?: number): number | undefined {
    this.forgetDropped();
    const size = this.lines.length - this.start;
    if (size === 0) return undefined;
    if (this.current < this.start) {
      const anchor = fromLine ?? (direction === 1 ? -Infinity : Infinity);
      const after = this.lines.findIndex((line, index) => index >= this.start && line >= anchor);
      this.current =
        direction === 1 ? (after < 0 ? this.start : after) : (after < 0 ? this.lines.length : after) - 1;
      if (this.current < this.start) this.current = this.lines.length - 1;
    } else {
      this.current = this.start + ((this.current - this.start + direction + size) % size);
    }
    return this.lines[this.current];
  }

  private consider(number: number): void {
    const found = count(this.store.plain(number), this.lowerQuery);
    if (found === 0) return;
    this.lines.push(number);
    this.occurrences.push(found);
    this.total += found;
  }

  private forgetDropped(): void {
    while (this.start < this.lines.length && !this.store.has(this.lines[this.start]!)) {
      this.total -= this.occurrences[this.start]!;
      this.start++;
    }
    if (this.start > 1024 && this.start > this.lines.length / 2) {
      this.lines = this.lines.slice(this.start);
      this.occurrences = this.occurrences.slice(this.start);
      this.current -= this.start;
      this.start = 0;
    }
  }
}
