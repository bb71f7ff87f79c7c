import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "../..");
const depcruise = path.join(repoRoot, "node_modules", ".bin", "depcruise");
const config = path.join(repoRoot, ".dependency-cruiser.cjs");

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** The real dependency-cruiser with the project's rules, over a tree of files laid out as src/ is. */
async function violations(files: Record<string, string>): Promise<Violation[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "parity-layers-"));
  folders.push(dir);
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true } }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const result = await promisify(execFile)(
    depcruise,
    ["src", "webview-ui", "--config", config, "--output-type", "json"],
    { cwd: dir },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const folders: string[] = [];
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("the layers, as npm run lint checks them", () => {
  it("pass the project's own tree", async () => {
    const { stdout } = await promisify(execFile)(
      depcruise,
      ["src", "webview-ui/src", "--config", config, "--output-type", "err"],
      { cwd: repoRoot },
    );
    expect(stdout).toContain("no dependency violations found");
  }, 60_000);

  it("refuse an upward import, a cycle, an eager import of the app from the host, and a webview reaching past the protocol", async () => {
    const found = await violations({
      "src/core/a.ts": 'import { b } from "../app/b";\nexport const a = b;\n',
      "src/app/b.ts": "export const b = 1;\n",
      "src/app/store/c.ts": "export const c = 1;\n",
      "src/targets/d.ts": 'import { e } from "./e";\nexport const d = e;\n',
      "src/targets/e.ts": 'import { d } from "./d";\nexport const e = () => d;\n',
      "src/services/f.ts":
        'import { b } from "../app/b";\nimport { c } from "../app/store/c";\nimport type { T } from "../app/g";\nexport const f = (t: T) => [b, c, t];\n',
      "src/services/k.ts": 'export const later = () => import("../app");\n',
      "src/app/index.ts": 'export { b } from "./b";\n',
      "src/services/l.ts": 'export const later = () => import("../app/b");\n',
      "src/app/g.ts": "export type T = number;\n",
      "src/protocol/h.ts": 'import { b } from "../app/b";\nexport const h = b;\n',
      "webview-ui/src/i.ts": 'import { b } from "../../src/app/b";\nexport const i = b;\n',
    });
    const seen = found.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        "core-is-the-bottom: src/core/a.ts → src/app/b.ts",
        "no-cycles: src/targets/d.ts → src/targets/e.ts",
        "host-loads-the-app-lazily: src/services/f.ts → src/app/b.ts",
        "protocol-from-core-only: src/protocol/h.ts → src/app/b.ts",
        "webview-ui-speaks-protocol: webview-ui/src/i.ts → src/app/b.ts",
        "host-loads-the-app-through-its-index: src/services/l.ts → src/app/b.ts",
      ]),
    );
    // The light store, a type and a dynamic import of the layer's index are what the host may take from src/app.
    expect(
      seen.filter((line) => line.includes("src/app/store/c.ts") || line.includes("src/app/g.ts")),
    ).toEqual([]);
  }, 60_000);
});
