// node-ansiparser ships no types: the part Parity uses (see its README).
declare module "node-ansiparser" {
  /** What the parser calls as it reads; a method left out is not called. */
  export interface AnsiTerminal {
    /** Text to print (called more than once in a row for one stretch of text). */
    inst_p?(text: string): void;
    /** An OSC string (a title, a hyperlink), without its introducer and terminator. */
    inst_o?(data: string): void;
    /** A C0 or C1 control character to execute (tab, carriage return, bell). */
    inst_x?(flag: string): void;
    /** A CSI sequence: its intermediate characters, numeric parameters and final character ("m": SGR). */
    inst_c?(collected: string, params: number[], flag: string): void;
    /** Another escape sequence (ESC ( B: a character set). */
    inst_e?(collected: string, flag: string): void;
  }

  /** A DEC VT500 escape sequence parser (vt100.net/emu/dec_ansi_parser). */
  export default class AnsiParser {
    constructor(terminal?: AnsiTerminal);
    /** Parses more input; a sequence left open continues in the next call. */
    parse(text: string): void;
    /** Forgets a sequence left open. */
    reset(): void;
  }
}
