import Anser from "anser";
import type { Range } from "./search";

export interface Segment {
  text: string;
  /** CSS classes: ansi-red-fg, ansi-bold... (the 16 colours follow the theme's terminal colours). */
  classes: string[];
  /** rgb(...) for 256-colour and true-colour text, set through style properties (never markup). */
  color?: string;
  background?: string;
}

export interface Piece extends Segment {
  /** Part of a search match; `current` when it is on the current match line. */
  match?: "match" | "current";
}

const NAMES = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/** A colour class of anser's ("ansi-red", "ansi-palette-208") as our class, or an rgb() colour. */
function colour(name: string, truecolor: string | null): { className?: string; rgb?: string } {
  if (name === "ansi-truecolor") return truecolor ? { rgb: `rgb(${truecolor})` } : {};
  const palette = /^ansi-palette-(\d+)$/.exec(name);
  if (!palette) return { className: name };
  const index = Number(palette[1]);
  if (index < 8) return { className: `ansi-${NAMES[index]}` };
  if (index < 16) return { className: `ansi-bright-${NAMES[index - 8]}` };
  return { rgb: paletteRgb(index) };
}

/** The xterm 256-colour palette above the 16 theme colours: a 6×6×6 cube, then a grey ramp. */
export function paletteRgb(index: number): string {
  if (index >= 232) {
    const grey = 8 + (index - 232) * 10;
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  const cube = index - 16;
  const level = (value: number) => (value === 0 ? 0 : 55 + value * 40);
  return `rgb(${level(Math.floor(cube / 36))}, ${level(Math.floor(cube / 6) % 6)}, ${level(cube % 6)})`;
}

const DECORATIONS = new Set([
  "bold",
  "dim",
  "italic",
  "underline",
  "strikethrough",
  "hidden",
  "reverse",
  "blink",
]);

/** Splits a line with terminal escapes into styled segments of plain text. */
export function ansiSegments(text: string): Segment[] {
  if (!text.includes("\u001b")) return text ? [{ text, classes: [] }] : [];
  const entries = Anser.ansiToJson(text, { json: true, use_classes: true, remove_empty: true });
  return entries
    .filter((entry) => entry.content.length > 0)
    .map((entry) => {
      const classes: string[] = [];
      let color: string | undefined;
      let background: string | undefined;
      if (entry.fg) {
        const { className, rgb } = colour(entry.fg, entry.fg_truecolor);
        if (className) classes.push(`${className}-fg`);
        color = rgb;
      }
      if (entry.bg) {
        const { className, rgb } = colour(entry.bg, entry.bg_truecolor);
        if (className) classes.push(`${className}-bg`);
        background = rgb;
      }
      for (const decoration of entry.decorations ?? []) {
        if (DECORATIONS.has(decoration)) classes.push(`ansi-${decoration}`);
      }
      return {
        text: entry.content,
        classes,
        ...(color ? { color } : {}),
        ...(background ? { background } : {}),
      };
    });
}

/** Cuts segments at match boundaries so matches can be highlighted without touching the colours. */
export function withMatches(segments: Segment[], ranges: Range[], current: boolean): Piece[] {
  if (ranges.length === 0) return segments;
  const pieces: Piece[] = [];
  let offset = 0;
  let rangeIndex = 0;
  for (const segment of segments) {
    const segmentEnd = offset + segment.text.length;
    let position = offset;
    while (position < segmentEnd) {
      while (rangeIndex < ranges.length && ranges[rangeIndex]!.end <= position) rangeIndex++;
      const range = ranges[rangeIndex];
      let cut: number;
      let inside = false;
      if (!range || range.start >= segmentEnd) cut = segmentEnd;
      else if (range.start > position) cut = range.start;
      else {
        inside = true;
        cut = Math.min(range.end, segmentEnd);
      }
      pieces.push({
        ...segment,
        text: segment.text.slice(position - offset, cut - offset),
        ...(inside ? { match: current ? "current" : "match" } : {}),
      });
      position = cut;
    }
    offset = segmentEnd;
  }
  return pieces;
}
