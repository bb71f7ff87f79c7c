/** SGR codes that turn a decoration on (bold, dim, italic, underline, hidden, strikethrough). */
const DECORATIONS = new Set([1, 2, 3, 4, 8, 9]);

const byte = (value: number | undefined): value is number =>
  value !== undefined && value >= 0 && value <= 255;

/** 38/48's colour at params[at...] (`5;index` or `2;r;g;b`) as codes, or undefined; and how many params it took. */
function extendedColour(code: number, params: number[], at: number): [number[] | undefined, number] {
  if (params[at] === 5) return [byte(params[at + 1]) ? [code, 5, params[at + 1]!] : undefined, 2];
  if (params[at] === 2) {
    const rgb = params.slice(at + 1, at + 4);
    return [rgb.length === 3 && rgb.every(byte) ? [code, 2, ...rgb] : undefined, 4];
  }
  return [undefined, 1];
}

/**
 * The colours and styles that Select Graphic Rendition sequences (ESC [ ... m) have set, read as
 * the logs panel's page reads them (webview-ui/src/lib/logs/ansi.ts): a line redrawn ten thousand
 * times with colours is the state of its last redraw, set by one sequence. Codes the page does not
 * draw (blink, fonts) are not kept.
 */
export class SgrState {
  /** Decorations in the order they were turned on (the page lists their classes so). */
  private decorations: number[] = [];
  private reverse = false;
  private foreground?: number[];
  private background?: number[];

  apply(params: readonly number[]): void {
    const codes = params.length === 0 ? [0] : [...params];
    for (let at = 0; at < codes.length; at++) {
      const code = codes[at]!;
      if (code === 0) {
        this.decorations = [];
        this.reverse = false;
        this.foreground = this.background = undefined;
      } else if (DECORATIONS.has(code)) {
        if (!this.decorations.includes(code)) this.decorations.push(code);
      } else if (code === 7) this.reverse = true;
      else if (code === 27) this.reverse = false;
      else if (code >= 21 && code <= 29) {
        const off = code === 21 || code === 22 ? [1, 2] : [code - 20];
        this.decorations = this.decorations.filter((decoration) => !off.includes(decoration));
      } else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) this.foreground = [code];
      else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) this.background = [code];
      else if (code === 39) this.foreground = undefined;
      else if (code === 49) this.background = undefined;
      else if (code === 38 || code === 48) {
        const [colour, used] = extendedColour(code, codes, at + 1);
        if (code === 38) this.foreground = colour;
        else this.background = colour;
        at += used;
      }
    }
  }

  /** One sequence that sets this state from none; empty when nothing is set. */
  sequence(): string {
    const codes = [
      ...this.decorations,
      ...(this.reverse ? [7] : []),
      ...(this.foreground ?? []),
      ...(this.background ?? []),
    ];
    return codes.length > 0 ? `\u001b[${codes.join(";")}m` : "";
  }
}
