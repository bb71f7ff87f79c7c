/**
 * VS Code's `when` clauses, as far as Parity's menus use them: keys, `!`, `==`, `!=`, `&&`, `||`
 * and parentheses, with VS Code's precedence (`!` binds tightest, then `&&`, then `||`). Anything
 * else (`=~`, `in`, `<`) throws, so that a menu test never reads a clause it does not understand.
 */
export type WhenContext = Record<string, string | boolean | undefined>;

type Token = string;

function tokens(clause: string): Token[] {
  const found = clause.match(/\(|\)|&&|\|\||==|!=|=~|!|[^\s()!=&|~]+/g) ?? [];
  const unsupported = found.find((token) => ["=~", "in", "not", "<", ">", "<=", ">="].includes(token));
  if (unsupported) throw new Error(`"${unsupported}" in "${clause}" is not read by this test`);
  return found;
}

/** Whether `clause` holds in `context` (unset keys are undefined, as in VS Code). */
export function evaluateWhen(clause: string, context: WhenContext): boolean {
  const list = tokens(clause);
  let at = 0;
  const peek = () => list[at];
  const take = (expected?: Token) => {
    const token = list[at++];
    if (token === undefined || (expected !== undefined && token !== expected))
      throw new Error(`expected ${expected ?? "more"} at token ${at} of "${clause}"`);
    return token;
  };
  const or = (): boolean => {
    let value = and();
    while (peek() === "||") {
      take();
      value = and() || value;
    }
    return value;
  };
  const and = (): boolean => {
    let value = unary();
    while (peek() === "&&") {
      take();
      value = unary() && value;
    }
    return value;
  };
  const unary = (): boolean => {
    if (peek() === "!") {
      take();
      return !unary();
    }
    if (peek() === "(") {
      take();
      const value = or();
      take(")");
      return value;
    }
    const key = take();
    if (key === "true") return true;
    if (key === "false") return false;
    const value = context[key];
    if (peek() === "==" || peek() === "!=") {
      const equal = take() === "==";
      const other = take();
      return (String(value) === other) === equal;
    }
    return Boolean(value);
  };
  const result = or();
  if (at !== list.length) throw new Error(`unexpected "${list[at]}" in "${clause}"`);
  return result;
}
