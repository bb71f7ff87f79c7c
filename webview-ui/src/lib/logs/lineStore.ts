import { passesFilter, type LogFilter, type LogLine, type LogStream } from "../../../../src/protocol/logs";
import { plainText } from "./ansi";

/** Lines kept at most; older ones are dropped (the file on disk keeps everything; Save writes it all). */
export const DEFAULT_MAX_LINES = 1_000_000;

const STREAMS: LogStream[] = ["stdout", "stderr"];

/** A carriage return followed by text: where a redrawn line starts again. */
// eslint-disable-next-line no-control-regex
const REDRAW = /\r(?=[^\u0000-\u001f\u007f-\u009f])/g;
/** Anything that leaves state behind for the text after a carriage return: escape sequences, C0 and C1 controls. */
// eslint-disable-next-line no-control-regex
const STATEFUL = /[\u0000-\u0008\u000a-\u000c\u000e-\u001f\u0080-\u009f]/;

/**
 * A line that redraws itself with carriage returns (a progress bar: " 10%|#  |\r 50%|## |..."),
 * without the redraws nothing shows: the part before the last carriage return followed by text,
 * when that part holds no escape sequence whose colours or state would carry over. Otherwise the
 * whole line, which the parser reads by the same rule as the host (ansi.ts): what follows a
 * carriage return starts the line again, with the colours set before it.
 */
export function withoutRedraws(text: string): string {
  let cut = -1;
  for (const match of text.matchAll(REDRAW)) cut = match.index;
  return cut >= 0 && !STATEFUL.test(text.slice(0, cut)) ? text.slice(cut + 1) : text;
}

/**
 * The lines a logs view holds, in parallel arrays (no object per line), with the filtered view
 * kept as a list of line numbers. Line numbers are absolute: they keep counting after old lines
 * are dropped, so a search result or a scroll position stays valid.
 */
export class LineStore {
  private texts: string[] = [];
  /** The text without escape sequences; the same string when it has none. */
  private plains: string[] = [];
  private streams: LogStream[] = [];
  private sourceIds: number[] = [];
  private readonly sourceNames: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  /** Absolute number of the first kept line. */
  private first = 0;
  private filter: LogFilter = { streams: [...STREAMS] };
  /** Absolute numbers of the kept lines that pass the filter; undefined when all pass. */
  private shown?: number[];
  private shownStart = 0;

  constructor(readonly maxLines = DEFAULT_MAX_LINES) {}

  /** Lines ever appended; the next line gets this number. */
  get end(): number {
    return this.first + this.texts.length;
  }

  /** Lines kept, whether the filter shows them or not. */
  get size(): number {
    return this.texts.length;
  }

  get dropped(): number {
    return this.first;
  }

  get sources(): readonly string[] {
    return this.sourceNames;
  }

  /** Appends lines; returns the absolute numbers of the new ones that pass the filter. */
  append(lines: readonly LogLine[]): number[] {
    const added: number[] = [];
    for (const line of lines) {
      const number = this.end;
      const text = withoutRedraws(line.text);
      this.texts.push(text);
      this.plains.push(plainText(text));
      this.streams.push(line.stream);
      this.sourceIds.push(this.sourceId(line.source ?? ""));
      if (this.passes(number)) {
        this.shown?.push(number);
        added.push(number);
      }
    }
    this.trim();
    // A large batch can push its own first lines out.
    const kept = added.findIndex((number) => number >= this.first);
    return kept <= 0 ? (kept === 0 ? added : []) : added.slice(kept);
  }

  clear(): void {
    this.first = this.end;
    this.texts = [];
    this.plains = [];
    this.streams = [];
    this.sourceIds = [];
    if (this.shown) {
      this.shown = [];
      this.shownStart = 0;
    }
  }

  setFilter(filter: LogFilter): void {
    this.filter = {
      streams: [...filter.streams],
      ...(filter.sources ? { sources: [...filter.sources] } : {}),
    };
    const everything =
      STREAMS.every((stream) => filter.streams.includes(stream)) && filter.sources === undefined;
    if (everything) {
      this.shown = undefined;
      return;
    }
    this.shown = [];
    this.shownStart = 0;
    for (let number = this.first; number < this.end; number++)
      if (this.passes(number)) this.shown.push(number);
  }

  getFilter(): LogFilter {
    return this.filter;
  }

  /** How many lines the filtered view has. */
  get rowCount(): number {
    return this.shown ? this.shown.length - this.shownStart : this.texts.length;
  }

  /** The absolute line number shown at a row of the filtered view. */
  lineAt(row: number): number {
    return this.shown ? this.shown[this.shownStart + row]! : this.first + row;
  }

  /** The row of the filtered view that shows a line, or -1 when the filter hides it. */
  rowOf(number: number): number {
    if (!this.shown) return number >= this.first && number < this.end ? number - this.first : -1;
    let low = this.shownStart;
    let high = this.shown.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = this.shown[middle]!;
      if (value === number) return middle - this.shownStart;
      if (value < number) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  has(number: number): boolean {
    return number >= this.first && number < this.end;
  }

  text(number: number): string {
    return this.texts[number - this.first]!;
  }

  plain(number: number): string {
    return this.plains[number - this.first]!;
  }

  stream(number: number): LogStream {
    return this.streams[number - this.first]!;
  }

  source(number: number): string {
    return this.sourceNames[this.sourceIds[number - this.first]!]!;
  }

  passes(number: number): boolean {
    return passesFilter({ stream: this.stream(number), source: this.source(number) }, this.filter);
  }

  private sourceId(name: string): number {
    let id = this.sourceIndex.get(name);
    if (id === undefined) {
      id = this.sourceNames.length;
      this.sourceNames.push(name);
      this.sourceIndex.set(name, id);
    }
    return id;
  }

  /** Drops the oldest lines past the cap, a tenth at a time so appends stay cheap. */
  private trim(): void {
    if (this.texts.length <= this.maxLines) return;
    const drop = this.texts.length - this.maxLines + Math.floor(this.maxLines / 10);
    this.texts.splice(0, drop);
    this.plains.splice(0, drop);
    this.streams.splice(0, drop);
    this.sourceIds.splice(0, drop);
    this.first += drop;
    if (this.shown) {
      while (this.shownStart < this.shown.length && this.shown[this.shownStart]! < this.first)
        this.shownStart++;
      if (this.shownStart > this.shown.length / 2) {
        this.shown = this.shown.slice(this.shownStart);
        this.shownStart = 0;
      }
    }
  }
}
