import AnsiParser from "node-ansiparser";

export interface Segment {
  text: string;
  /** CSS classes: ansi-red-fg, ansi-bold... (the 16 colours follow the theme's terminal colours). */
  classes: string[];
  /** A colour for 256-colour and true-colour text, set through style properties (never markup). */
  color?: string;
  background?: string;
}

export interface Piece extends Segment {
  /** Part of a search match; `current` when it is on the current match line. */
  match?: "match" | "current";
}

/** A theme colour (its class, "ansi-bright-red", given -fg or -bg) or any other CSS colour. */
type Colour = { className: string } | { css: string };

interface Style {
  fg?: Colour;
  bg?: Colour;
  decorations: string[];
  reverse: boolean;
}

const NAMES = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];
/** SGR codes that turn a decoration on; 20 more turns it off (22 turns off bold and dim). */
const DECORATIONS: Record<number, string> = {
  1: "bold",
  2: "dim",
  3: "italic",
  4: "underline",
  8: "hidden",
  9: "strikethrough",
};
/** Reverse video with the default colours: the panel's own, swapped (logs.css sets them). */
const DEFAULT_FG: Colour = { css: "var(--vscode-terminal-foreground, var(--vscode-editor-foreground))" };
const DEFAULT_BG: Colour = { css: "var(--vscode-terminal-background, var(--vscode-editor-background))" };

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

function paletteColour(index: number): Colour {
  if (index < 8) return { className: `ansi-${NAMES[index]}` };
  if (index < 16) return { className: `ansi-bright-${NAMES[index - 8]}` };
  return { css: paletteRgb(index) };
}

const byte = (value: number | undefined): value is number =>
  value !== undefined && value >= 0 && value <= 255;

/** 38/48's colour at params[at...]: `5;index` or `2;r;g;b`. Returns it and how many params it took. */
function extendedColour(params: number[], at: number): [Colour | undefined, number] {
  if (params[at] === 5) return [byte(params[at + 1]) ? paletteColour(params[at + 1]!) : undefined, 2];
  if (params[at] === 2) {
    const [r, g, b] = params.slice(at + 1, at + 4);
    return [byte(r) && byte(g) && byte(b) ? { css: `rgb(${r}, ${g}, ${b})` } : undefined, 4];
  }
  return [undefined, 1];
}

/** Select Graphic Rendition: what ESC [ ... m sets. */
function applySgr(style: Style, params: number[]): void {
  for (let at = 0; at < params.length; at++) {
    const code = params[at]!;
    if (code === 0) {
      style.fg = style.bg = undefined;
      style.decorations = [];
      style.reverse = false;
    } else if (DECORATIONS[code]) {
      if (!style.decorations.includes(DECORATIONS[code])) style.decorations.push(DECORATIONS[code]);
    } else if (code === 7) style.reverse = true;
    else if (code === 27) style.reverse = false;
    else if (code >= 21 && code <= 29) {
      const off = code === 22 || code === 21 ? ["bold", "dim"] : [DECORATIONS[code - 20]];
      style.decorations = style.decorations.filter((decoration) => !off.includes(decoration));
    } else if (code >= 30 && code <= 37) style.fg = paletteColour(code - 30);
    else if (code >= 90 && code <= 97) style.fg = paletteColour(code - 90 + 8);
    else if (code >= 40 && code <= 47) style.bg = paletteColour(code - 40);
    else if (code >= 100 && code <= 107) style.bg = paletteColour(code - 100 + 8);
    else if (code === 39) style.fg = undefined;
    else if (code === 49) style.bg = undefined;
    else if (code === 38 || code === 48) {
      const [colour, used] = extendedColour(params, at + 1);
      if (code === 38) style.fg = colour;
      else style.bg = colour;
      at += used;
    }
  }
}

/** The segment fields for a style (text left empty), and a key that tells equal styles apart. */
function styled(style: Style): { template: Omit<Segment, "text">; key: string } {
  const fg = style.reverse ? (style.bg ?? DEFAULT_BG) : style.fg;
  const bg = style.reverse ? (style.fg ?? DEFAULT_FG) : style.bg;
  const classes: string[] = [];
  if (fg && "className" in fg) classes.push(`${fg.className}-fg`);
  if (bg && "className" in bg) classes.push(`${bg.className}-bg`);
  for (const decoration of style.decorations) classes.push(`ansi-${decoration}`);
  const color = fg && "css" in fg ? fg.css : undefined;
  const background = bg && "css" in bg ? bg.css : undefined;
  return {
    template: { classes, ...(color ? { color } : {}), ...(background ? { background } : {}) },
    key: `${classes.join(" ")}|${color ?? ""}|${background ?? ""}`,
  };
}

// One parser for every line (parsing is synchronous): what it reads is collected here, as
// segments, or as text alone where only the text is wanted (every line appended is read so).
let withStyles = true;
let segments: Segment[] = [];
let text = "";
let style: Style = { decorations: [], reverse: false };
let current = styled(style);
let lastKey = "";
/** A carriage return was read: the next text starts the line again, as on a terminal. */
let restart = false;

function print(printed: string): void {
  if (restart) {
    segments = [];
    text = "";
    restart = false;
  }
  if (!withStyles) {
    text += printed;
    return;
  }
  const last = segments[segments.length - 1];
  if (last && lastKey === current.key) last.text += printed;
  else segments.push({ text: printed, ...current.template, classes: [...current.template.classes] });
  lastKey = current.key;
}

const parser = new AnsiParser({
  inst_p: print,
  inst_x(flag) {
    if (flag === "\t") print(flag);
    else if (flag === "\r") restart = true;
  },
  inst_c(collected, params, flag) {
    if (!withStyles || flag !== "m" || collected) return;
    applySgr(style, params);
    current = styled(style);
  },
});

function parse(line: string, styles: boolean): void {
  withStyles = styles;
  segments = [];
  text = "";
  style = { decorations: [], reverse: false };
  current = styled(style);
  lastKey = "";
  restart = false;
  parser.reset();
  parser.parse(line);
}

/**
 * Characters the parser acts on: C0 controls but tab, and C1 controls (ESC starts every escape
 * sequence). A line with none of them is one plain segment, so it skips the parser.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u0080-\u009f]/;

/**
 * Splits a line of a program's output into styled segments of plain text. Every escape sequence
 * and control character is read by one parser (node-ansiparser, the DEC VT500 state machine):
 * colours and styles (SGR) are kept as classes and colours; window titles and other OSC strings,
 * cursor moves, erase line and character sets are dropped; tabs are kept; after a carriage
 * return the line starts again. The host reads lines with the same parser
 * (src/core/presentation/terminalText.ts).
 */
export function ansiSegments(line: string): Segment[] {
  if (!CONTROLS.test(line)) return line ? [{ text: line, classes: [] }] : [];
  parse(line, true);
  const result = segments;
  segments = [];
  return result;
}

/** The text of a line as drawn (ansiSegments' text, read the same way): what search finds and copy takes. */
export function plainText(line: string): string {
  if (!CONTROLS.test(line)) return line;
  parse(line, false);
  const result = text;
  text = "";
  return result;
}

/** Cuts segments at match boundaries (findAll's ranges) so matches are highlighted without touching the colours. */
export function withMatches(
  segments: Segment[],
  ranges: ReadonlyArray<{ start: number; end: number }>,
  current: boolean,
): Piece[] {
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
