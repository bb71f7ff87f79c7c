/** PEP 508 environment markers, checked as pip's `packaging` parses them (pip fails on any other). */
const VARIABLES = new Set([
  "python_version",
  "python_full_version",
  "os_name",
  "sys_platform",
  "platform_release",
  "platform_system",
  "platform_version",
  "platform_machine",
  "platform_python_implementation",
  "implementation_name",
  "implementation_version",
  "extra",
  // Older spellings that pip's packaging still accepts.
  "os.name",
  "sys.platform",
  "platform.version",
  "platform.machine",
  "platform.python_implementation",
  "python_implementation",
]);
const TOKEN = /\s*(?:('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>)|([A-Za-z_][A-Za-z0-9_.]*)|([()])|(\S))/y;

type Token = { kind: "string" | "compare" | "word" | "paren" | "other"; text: string };

/** Why the marker is not valid (naming where it stops making sense), or undefined when it is. */
export function markerProblem(marker: string): string | undefined {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(marker); match; match = TOKEN.exec(marker)) {
    const [, string, compare, word, paren, other] = match;
    if (string) tokens.push({ kind: "string", text: string });
    else if (compare) tokens.push({ kind: "compare", text: compare });
    else if (word) tokens.push({ kind: "word", text: word });
    else if (paren) tokens.push({ kind: "paren", text: paren });
    else if (other) tokens.push({ kind: "other", text: other });
    if (TOKEN.lastIndex >= marker.length) break;
  }
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isWord = (text: string): boolean => peek()?.kind === "word" && peek()?.text === text;
  const fail = (): never => {
    throw new Error(peek() ? `at ${JSON.stringify(peek()!.text)}` : "where it ends");
  };
  const variable = (): void => {
    const token = peek();
    if (token?.kind === "string" || (token?.kind === "word" && VARIABLES.has(token.text))) at++;
    else fail();
  };
  const operator = (): void => {
    if (peek()?.kind === "compare" || isWord("in")) at++;
    else if (isWord("not") && tokens[at + 1]?.kind === "word" && tokens[at + 1]?.text === "in") at += 2;
    else fail();
  };
  const expression = (): void => {
    if (peek()?.text === "(") {
      at++;
      or();
      if (peek()?.text !== ")") fail();
      at++;
      return;
    }
    variable();
    operator();
    variable();
  };
  const and = (): void => {
    expression();
    while (isWord("and")) {
      at++;
      expression();
    }
  };
  const or = (): void => {
    and();
    while (isWord("or")) {
      at++;
      and();
    }
  };
  try {
    or();
    if (at < tokens.length) fail();
    return undefined;
  } catch (error) {
    return `the marker ${JSON.stringify(marker)} is not valid (${(error as Error).message})`;
  }
}
