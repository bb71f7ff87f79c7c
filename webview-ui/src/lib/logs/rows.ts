import { ansiSegments, withMatches } from "./ansi";
import type { LineStore } from "./lineStore";
import { findAll } from "./search";

/** Characters of one line drawn at most; longer lines are drawn cut and without colours (copy and save keep them whole). */
export const MAX_DRAWN_CHARS = 4000;
/** Colours for replica prefixes (logs.css: .source-0 … .source-5). */
const SOURCE_COLOURS = 6;

/**
 * One drawn row. Log text only ever reaches the DOM through textContent, and colours through
 * class names and style properties: nothing a program prints can become markup.
 */
export function renderRow(
  store: LineStore,
  number: number,
  lowerQuery: string,
  isCurrentMatch: boolean,
): HTMLDivElement {
  const row = document.createElement("div");
  const stream = store.stream(number);
  row.className = `line line-${stream}${isCurrentMatch ? " current-line" : ""}`;
  row.dataset.testid = "log-line";
  row.dataset.stream = stream;
  row.dataset.line = String(number);
  const source = store.source(number);
  if (source) {
    row.dataset.source = source;
    const label = document.createElement("span");
    // Each replica keeps its colour, so merged lines from several pods read apart at a glance.
    label.className = `source source-${store.sources.indexOf(source) % SOURCE_COLOURS}`;
    label.textContent = source;
    row.append(label);
  }
  const plain = store.plain(number);
  const ranges = lowerQuery ? findAll(plain, lowerQuery) : [];
  const segments =
    plain.length > MAX_DRAWN_CHARS
      ? [
          {
            text: `${plain.slice(0, MAX_DRAWN_CHARS)} … (${plain.length - MAX_DRAWN_CHARS} more characters)`,
            classes: [],
          },
        ]
      : ansiSegments(store.text(number));
  for (const piece of withMatches(segments, ranges, isCurrentMatch)) {
    const span = document.createElement("span");
    span.textContent = piece.text;
    const classes = [...piece.classes];
    if (piece.match) classes.push(piece.match === "current" ? "match-current" : "match");
    if (classes.length > 0) span.className = classes.join(" ");
    if (piece.color) span.style.color = piece.color;
    if (piece.background) span.style.backgroundColor = piece.background;
    row.append(span);
  }
  if (row.childNodes.length === 0) row.append(document.createTextNode("\u00a0"));
  return row;
}
