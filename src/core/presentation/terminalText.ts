import AnsiParser from "node-ansiparser";
import { SgrState } from "./sgrState";

/**
 * Characters the parser acts on: C0 controls but tab, and C1 controls (ESC starts every escape
 * sequence). A line with none of them is printed as it is, so it skips the parser.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u0080-\u009f]/;

let pieces: string[] = [];
let keepColours = false;
/** A carriage return was read: the next text starts the line again, as on a terminal. */
let restart = false;
let style = new SgrState();

function print(text: string): void {
  if (restart) {
    // The colours set so far still apply to what follows: set once, however many redraws set them.
    const colours = style.sequence();
    pieces = keepColours && colours ? [colours] : [];
    restart = false;
  }
  pieces.push(text);
}

const parser = new AnsiParser({
  inst_p: print,
  inst_x(flag) {
    if (flag === "\t") print(flag);
    else if (flag === "\r") restart = true;
  },
  inst_c(collected, params, flag) {
    if (!keepColours || flag !== "m" || collected) return;
    style.apply(params);
    // After a carriage return the state is written when the text comes (print).
    if (!restart) pieces.push(`\u001b[${params.join(";")}m`);
  },
});

function parse(text: string, colours: boolean): string {
  if (!CONTROLS.test(text)) return text;
  pieces = [];
  keepColours = colours;
  restart = false;
  style = new SgrState();
  parser.reset();
  parser.parse(text);
  const result = pieces.join("");
  pieces = [];
  return result;
}

/**
 * What a terminal shows of one line of a program's output, as text: every escape sequence
 * (colours, window titles and other OSC strings, cursor moves, erase line, character sets) and
 * control character read by one parser (node-ansiparser, the DEC VT500 state machine) and
 * dropped; tabs kept; after a carriage return the line starts again (a redrawn progress bar
 * shows its last state). For copy, save, search and the diagnosis's matching; the logs panel's
 * page reads lines with the same parser (webview-ui/src/lib/logs/ansi.ts).
 */
export function plainText(text: string): string {
  return parse(text, false);
}

/** The same, with the colours and styles (SGR sequences) kept: for printing on a terminal. */
export function colouredText(text: string): string {
  return parse(text, true);
}
