import { scanLine, START, startsStatement, type LexState } from "./lexer";

/**
 * Top-level module names imported anywhere in the code (`import a.b as c` → a,
 * `from x.y import z` → x), inside functions too; relative imports and `__future__` are skipped.
 */
export function collectImports(lines: string[]): string[] {
  const modules = new Set<string>();
  for (const statement of logicalLines(lines)) {
    for (const part of statement.split(";")) {
      const from = /(?:^|[\s:])from\s+([A-Za-z_][\w.]*)\s+import\b/.exec(part);
      if (from?.[1]) {
        modules.add(topLevel(from[1]));
        continue;
      }
      if (/(?:^|[\s:])from\s+\./.test(part)) continue;
      const imported = /(?:^|[\s:])import\s+(.+)$/.exec(part);
      for (const name of imported?.[1]?.split(",") ?? []) {
        const module = /^\s*\(?\s*([A-Za-z_][\w.]*)/.exec(name)?.[1];
        if (module) modules.add(topLevel(module));
      }
    }
  }
  modules.delete("__future__");
  return [...modules].sort();
}

function topLevel(module: string): string {
  return module.split(".")[0] ?? module;
}

/** Statements as one string each: strings blanked, comments dropped, continuation lines joined. */
export function logicalLines(lines: string[]): string[] {
  const statements: string[] = [];
  let state: LexState = START;
  let current = "";
  for (const line of lines) {
    const scanned = scanLine(line, state);
    current += ` ${scanned.code.replace(/\\$/, "")}`;
    state = scanned.next;
    if (startsStatement(state)) {
      statements.push(current);
      current = "";
    }
  }
  if (current) statements.push(current);
  return statements;
}
