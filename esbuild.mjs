// Bundles the extension host code, the CLI and the webview apps into dist/.
import { build, context } from "esbuild";
import { readdirSync, existsSync } from "node:fs";
import { heavyApart } from "./scripts/esbuild-heavy-apart.mjs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: "info",
  legalComments: "none",
};

// Optional native add-ons of ssh2/cpu-features are never needed: Parity talks to Docker over
// a unix socket, TCP or TLS, not SSH tunnels built in-process.
const nodeExternals = ["vscode", "cpu-features", "./crypto/build/Release/sshcrypto.node"];

const webviewDir = "webview-ui/src/panels";
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `${webviewDir}/${f}`)
  : [];

const builds = [
  {
    ...common,
    entryPoints: { extension: "src/extension.ts", services: "src/services/heavy.ts", cli: "src/cli/bin.ts" },
    plugins: [heavyApart],
    outdir: "dist",
    platform: "node",
    target: "node20",
    format: "cjs",
    external: nodeExternals,
    loader: { ".py": "text" },
  },
];
if (webviewEntries.length > 0) {
  builds.push({
    ...common,
    entryPoints: webviewEntries,
    outdir: "dist/webview",
    platform: "browser",
    target: "es2022",
    format: "esm",
  });
}

if (watch) {
  for (const options of builds) await (await context(options)).watch();
} else {
  await Promise.all(builds.map((options) => build(options)));
}
