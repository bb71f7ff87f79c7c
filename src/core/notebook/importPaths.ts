import { logicalLines } from "./imports";

/**
 * What the code imports, as dotted paths: `import a.b as c` → a.b, `from x.y import z, w` → x.y.z
 * and x.y.w (a name imported from a package may be a submodule), `from x import *` → x. Relative
 * imports and `__future__` are skipped. Which distribution provides a namespace package's part
 * (google.cloud.storage) is told by these paths, not by the top-level name.
 */
export function collectImportPaths(lines: string[]): string[] {
  const paths = new Set<string>();
  for (const statement of logicalLines(lines)) {
    for (const part of statement.split(";")) {
      const from = /(?:^|[\s:])from\s+([A-Za-z_][\w.]*)\s+import\s+(.*)$/.exec(part);
      if (from?.[1]) {
        const names = (from[2] ?? "").replace(/[()]/g, " ").split(",");
        const submodules = names.map((name) => /^\s*([A-Za-z_]\w*)/.exec(name)?.[1]).filter(Boolean);
        if (submodules.length === 0) paths.add(from[1]);
        for (const name of submodules) paths.add(`${from[1]}.${name}`);
        continue;
      }
      if (/(?:^|[\s:])from\s+\./.test(part)) continue;
      const imported = /(?:^|[\s:])import\s+(.+)$/.exec(part);
      for (const name of imported?.[1]?.split(",") ?? []) {
        const module = /^\s*\(?\s*([A-Za-z_][\w.]*)/.exec(name)?.[1];
        if (module) paths.add(module);
      }
    }
  }
  return [...paths].filter((module) => module.split(".")[0] !== "__future__").sort();
}
