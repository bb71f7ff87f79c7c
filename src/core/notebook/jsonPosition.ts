/**
 * The 1-based line of a JSON syntax error. V8 reports "at position N" for most errors but only a
 * snippet for "Unexpected token" ones; then a small scanner finds the offset. Error path only.
 */
export function jsonErrorLine(text: string, error: unknown): number {
  const message = error instanceof Error ? error.message : "";
  const position = /at position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : firstSyntaxErrorOffset(text);
  return lineAt(text, Math.min(offset, text.length));
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

class Scanner {
  offset = 0;
  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (/[ \t\r\n]/.test(this.text.charAt(this.offset))) this.offset++;
  }

  expect(char: string): void {
    this.skipSpace();
    if (this.text.charAt(this.offset) !== char) throw this.offset;
    this.offset++;
  }

  value(): void {
    this.skipSpace();
    const char = this.text.charAt(this.offset);
    if (char === "{") return this.members("}", () => (this.string(), this.expect(":"), this.value()));
    if (char === "[") return this.members("]", () => this.value());
    if (char === '"') return this.string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      this.text.slice(this.offset, this.offset + 64),
    );
    if (!literal) throw this.offset;
    this.offset += literal[0].length;
  }

  private members(close: string, member: () => void): void {
    this.offset++;
    this.skipSpace();
    if (this.text.charAt(this.offset) === close) return void this.offset++;
    for (;;) {
      member();
      this.skipSpace();
      const char = this.text.charAt(this.offset);
      if (char === close) return void this.offset++;
      if (char !== ",") throw this.offset;
      this.offset++;
    }
  }

  private string(): void {
    this.expect('"');
    for (;;) {
      const char = this.text.charAt(this.offset);
      if (char === "" || char < " ") throw this.offset;
      this.offset += char === "\\" ? 2 : 1;
      if (char === '"') return;
    }
  }
}

function firstSyntaxErrorOffset(text: string): number {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.skipSpace();
    return scanner.offset;
  } catch (offset) {
    return typeof offset === "number" ? offset : text.length;
  }
}
