/**
 * Just enough of Python's tokenizer to know, line by line, whether a line starts a statement
 * (magics only count there, never inside a string or an open bracket) and where code is.
 */
export interface LexState {
  /** The open string's quote (`"`, `'`, `"""`, `'''`), when a line ends inside a string. */
  quote?: string;
  depth: number;
  /** The previous line ended with a backslash continuation. */
  continued: boolean;
}

export interface ScannedLine {
  /** The line with string contents blanked and the comment removed. */
  code: string;
  /** Offset where the comment starts, or the line's length. */
  codeEnd: number;
  next: LexState;
}

export const START: LexState = { depth: 0, continued: false };

export function startsStatement(state: LexState): boolean {
  return state.quote === undefined && state.depth === 0 && !state.continued;
}

export function scanLine(line: string, state: LexState): ScannedLine {
  let quote = state.quote;
  let depth = state.depth;
  let code = "";
  let i = 0;
  for (; i < line.length; i++) {
    const char = line.charAt(i);
    if (quote !== undefined) {
      if (char === "\\") {
        code += "  ";
        i++;
      } else if (line.startsWith(quote, i)) {
        code += quote;
        i += quote.length - 1;
        quote = undefined;
      } else code += " ";
      continue;
    }
    if (char === "#") break;
    if (char === '"' || char === "'") {
      quote = line.startsWith(char.repeat(3), i) ? char.repeat(3) : char;
      code += quote;
      i += quote.length - 1;
      continue;
    }
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth = Math.max(0, depth - 1);
    code += char;
  }
  const continued = quote === undefined && /\\$/.test(line.slice(0, i));
  // A one-quote string cannot span lines without a backslash; Python reports that, we just reset.
  if (quote?.length === 1 && !/\\$/.test(line)) quote = undefined;
  return { code, codeEnd: i, next: { quote, depth, continued } };
}
