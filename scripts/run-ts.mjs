// Runs a TypeScript file (a benchmark, a dev tool) by bundling it with esbuild first.
// Usage: node scripts/run-ts.mjs <file.ts> [args...]
import { build } from "esbuild";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.mjs <file.ts> [args...]");
  process.exit(2);
}
// Inside the project, so that external packages resolve from its node_modules.
const cacheDir = join(dirname(fileURLToPath(import.meta.url)), "..", ".cache");
mkdirSync(cacheDir, { recursive: true });
const dir = mkdtempSync(join(cacheDir, "run-ts-"));
const outfile = join(dir, "main.mjs");
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  loader: { ".py": "text" },
  logLevel: "warning",
  plugins: [ownFileUrls()],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
/**
 * Bundled, every module would see the bundle's import.meta.url: each TypeScript file keeps its own
 * (the test cluster's harness finds build.sh and its stages beside itself).
 */
function ownFileUrls() {
  return {
    name: "own-file-urls",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        if (!source.includes("import.meta.url")) return undefined;
        return {
          contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
          loader: "ts",
        };
      });
    },
  };
}

process.argv = [process.argv[0], resolve(entry), ...args];
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
