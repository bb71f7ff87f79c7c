import { EVENT_ID, getScalarValue, parseEvents, type Event } from "js-yaml";

/** A path into a YAML document: mapping keys and sequence indexes, e.g. ["cluster", "tolerations", 1]. */
export type FieldPath = ReadonlyArray<string | number>;

/** 1-based line and column. */
export interface YamlPosition {
  line: number;
  column: number;
}

export interface YamlLocation extends YamlPosition {
  /** False when the path does not exist and this is the nearest existing parent. */
  exact: boolean;
}

/**
 * Finds where a field is written. A mapping entry is located at its key, a sequence item at the
 * item; a missing path falls back to its nearest existing parent. Block and flow style alike,
 * because positions come from js-yaml's event stream, not from scanning lines.
 */
export interface YamlLocator {
  locate(path: FieldPath): YamlLocation | undefined;
  lineOf(path: FieldPath): number | undefined;
  /** The scalar exactly as written (e.g. `3.10` for what YAML reads as the number 3.1). */
  scalarSource(path: FieldPath): string | undefined;
}

type PositionNode =
  | { kind: "mapping"; offset: number; entries: Map<string, { keyOffset: number; value: PositionNode }> }
  | { kind: "sequence"; offset: number; items: PositionNode[] }
  | { kind: "scalar"; offset: number; source: string }
  | { kind: "alias"; offset: number };

/**
 * Builds a locator for one document of `text` (the first by default). The text must be valid YAML:
 * parse it with js-yaml first, which reports syntax errors with their own line.
 */
export function createYamlLocator(text: string, documentIndex = 0): YamlLocator {
  const root = buildDocument(text, documentIndex);
  const lineStarts = computeLineStarts(text);
  const position = (offset: number): YamlPosition => toPosition(lineStarts, offset);

  function walk(path: FieldPath): { node: PositionNode; offset: number; exact: boolean } | undefined {
    if (!root) return undefined;
    let node = root;
    let offset = root.offset;
    for (const segment of path) {
      const next = child(node, segment);
      if (!next) return { node, offset, exact: false };
      node = next.node;
      offset = next.offset;
    }
    return { node, offset, exact: true };
  }

  function locate(path: FieldPath): YamlLocation | undefined {
    const found = walk(path);
    return found && { ...position(found.offset), exact: found.exact };
  }

  return {
    locate,
    lineOf: (path) => locate(path)?.line,
    scalarSource(path) {
      const found = walk(path);
      return found?.exact && found.node.kind === "scalar" ? found.node.source : undefined;
    },
  };
}

function child(
  node: PositionNode,
  segment: string | number,
): { node: PositionNode; offset: number } | undefined {
  if (node.kind === "mapping") {
    const entry = node.entries.get(String(segment));
    return entry && { node: entry.value, offset: entry.keyOffset };
  }
  if (node.kind === "sequence") {
    const index = typeof segment === "number" ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
    const item = node.items[index];
    return item && { node: item, offset: item.offset };
  }
  return undefined;
}

function buildDocument(text: string, documentIndex: number): PositionNode | undefined {
  const events = parseEvents(text, {});
  let seen = -1;
  for (let index = 0; index < events.length; index++) {
    if (events[index]?.type !== EVENT_ID.DOCUMENT) continue;
    seen += 1;
    if (seen < documentIndex) continue;
    const first = events[index + 1];
    if (!first || first.type === EVENT_ID.POP) return undefined;
    return new TreeBuilder(text, events, index + 1).build(0);
  }
  return undefined;
}

class TreeBuilder {
  constructor(
    private readonly text: string,
    private readonly events: Event[],
    private cursor: number,
  ) {}

  /** Consumes one node's events; `fallbackOffset` positions empty scalars (`key:` with no value). */
  build(fallbackOffset: number): PositionNode {
    const event = this.events[this.cursor++];
    if (!event) throw new Error("YAML event stream ended inside a node.");
    switch (event.type) {
      case EVENT_ID.SCALAR: {
        const start = firstPresent(event.anchorStart, event.tagStart, event.valueStart);
        const source = event.valueStart < 0 ? "" : this.text.slice(event.valueStart, event.valueEnd);
        return { kind: "scalar", offset: start < 0 ? fallbackOffset : start, source };
      }
      case EVENT_ID.ALIAS:
        return { kind: "alias", offset: Math.max(0, event.anchorStart - 1) };
      case EVENT_ID.SEQUENCE: {
        const offset = firstPresent(event.anchorStart, event.tagStart, event.start);
        const items: PositionNode[] = [];
        while (this.events[this.cursor]?.type !== EVENT_ID.POP) items.push(this.build(offset));
        this.cursor++;
        return { kind: "sequence", offset, items };
      }
      case EVENT_ID.MAPPING: {
        const offset = firstPresent(event.anchorStart, event.tagStart, event.start);
        const entries = new Map<string, { keyOffset: number; value: PositionNode }>();
        while (this.events[this.cursor]?.type !== EVENT_ID.POP) {
          const keyEvent = this.events[this.cursor];
          const key = this.build(offset);
          const value = this.build(key.offset);
          const name = keyEvent?.type === EVENT_ID.SCALAR ? getScalarValue(this.text, keyEvent) : undefined;
          if (name !== undefined && !entries.has(name)) entries.set(name, { keyOffset: key.offset, value });
        }
        this.cursor++;
        return { kind: "mapping", offset, entries };
      }
      default:
        throw new Error(`Unexpected YAML event ${event.type} inside a node.`);
    }
  }
}

/** The smallest non-negative offset (anchors and tags come before the node they decorate). */
function firstPresent(...offsets: number[]): number {
  const present = offsets.filter((offset) => offset >= 0);
  return present.length === 0 ? -1 : Math.min(...present);
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) === 10) starts.push(index + 1);
  }
  return starts;
}

function toPosition(lineStarts: number[], offset: number): YamlPosition {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
}
