/**
 * Which rows a virtualised list draws. Browsers cap an element's height (about 33 million
 * pixels in Chromium), so past MAX_SCROLL_HEIGHT the scroll range is scaled: the scrollbar maps
 * to row positions proportionally and rows are drawn at their scaled offset.
 */
export const MAX_SCROLL_HEIGHT = 10_000_000;

export interface Viewport {
  rowHeight: number;
  /** Height of the scrolling area, in pixels. */
  height: number;
  scrollTop: number;
  rowCount: number;
  /** Rows drawn above and below what is visible. */
  overscan?: number;
}

export interface VisibleWindow {
  /** First row drawn (inclusive) and last (exclusive). */
  first: number;
  last: number;
  /** Where the first drawn row sits, from the top of the scroll content. */
  offsetTop: number;
  /** Height of the scroll content. */
  scrollHeight: number;
}

export function scrollHeightFor(rowCount: number, rowHeight: number): number {
  return Math.min(rowCount * rowHeight, MAX_SCROLL_HEIGHT);
}

/** The row shown at the top of the view for a scroll position. */
function topRow({ rowHeight, height, scrollTop, rowCount }: Viewport): number {
  const full = rowCount * rowHeight;
  const scrollHeight = scrollHeightFor(rowCount, rowHeight);
  if (full <= scrollHeight) return scrollTop / rowHeight;
  const scrollRange = Math.max(scrollHeight - height, 1);
  const rowRange = Math.max(rowCount - height / rowHeight, 0);
  return (Math.min(Math.max(scrollTop, 0), scrollRange) / scrollRange) * rowRange;
}

export function visibleWindow(viewport: Viewport): VisibleWindow {
  const { rowHeight, height, rowCount } = viewport;
  const overscan = viewport.overscan ?? 10;
  const scrollHeight = scrollHeightFor(rowCount, rowHeight);
  if (rowCount === 0) return { first: 0, last: 0, offsetTop: 0, scrollHeight };
  const top = topRow(viewport);
  const visibleRows = Math.ceil(height / rowHeight) + 1;
  const first = Math.max(Math.floor(top) - overscan, 0);
  const last = Math.min(Math.floor(top) + visibleRows + overscan, rowCount);
  // The fractional part keeps scrolling smooth when the range is scaled.
  const offsetTop = viewport.scrollTop - (top - first) * rowHeight;
  return { first, last, offsetTop: Math.max(offsetTop, 0), scrollHeight };
}

/** The scroll position that puts `row` in view: unchanged if it is already, else centred. */
export function scrollTopFor(row: number, viewport: Viewport): number {
  const { rowHeight, height, rowCount, scrollTop } = viewport;
  const top = topRow(viewport);
  const visibleRows = height / rowHeight;
  if (row >= top && row + 1 <= top + visibleRows) return scrollTop;
  const wantedTop = Math.max(row - visibleRows / 2, 0);
  return scrollTopForTopRow(wantedTop, viewport, rowCount);
}

/** The scroll position that shows the last row at the bottom. */
export function scrollTopForEnd(viewport: Viewport): number {
  return Math.max(scrollHeightFor(viewport.rowCount, viewport.rowHeight) - viewport.height, 0);
}

function scrollTopForTopRow(row: number, viewport: Viewport, rowCount: number): number {
  const { rowHeight, height } = viewport;
  const full = rowCount * rowHeight;
  const scrollHeight = scrollHeightFor(rowCount, rowHeight);
  if (full <= scrollHeight) return Math.min(row * rowHeight, Math.max(full - height, 0));
  const scrollRange = Math.max(scrollHeight - height, 1);
  const rowRange = Math.max(rowCount - height / rowHeight, 1);
  return (Math.min(row, rowRange) / rowRange) * scrollRange;
}

/** Rows within this many pixels of the end count as "at the end" (rounding in zoomed views). */
const END_SLACK = 4;

export function isAtEnd(scrollTop: number, height: number, scrollHeight: number): boolean {
  return scrollTop + height >= scrollHeight - END_SLACK;
}

/**
 * Follow (stay at the end as lines arrive) after the user scrolled: scrolling up turns it off,
 * coming back to the end turns it on again.
 */
export function followAfterScroll(
  following: boolean,
  previousScrollTop: number,
  scrollTop: number,
  height: number,
  scrollHeight: number,
): boolean {
  if (isAtEnd(scrollTop, height, scrollHeight)) return true;
  if (scrollTop < previousScrollTop) return false;
  return following;
}
