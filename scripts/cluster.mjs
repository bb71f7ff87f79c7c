// `npm run cluster:up` / `npm run cluster:down`: bundles the TypeScript test harness with esbuild
// (already a dev dependency) and runs its command line.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, ".cache", "cluster-cli", "cli.mjs");
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(root, "test", "cluster", "harness", "cli.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  packages: "external",
  outfile,
  logLevel: "warning",
  // The harness finds build.sh, go.mod and stages relative to its own folder.
  define: {
    "import.meta.url": JSON.stringify(pathToFileURL(join(root, "test", "cluster", "harness", "cli.ts")).href),
  },
});
const { main } = await import(pathToFileURL(outfile).href);
await main(process.argv[2], root);
