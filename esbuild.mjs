// Bundles the extension host code, the CLI and the webview apps into dist/.
import { build, context } from "esbuild";
import { readdirSync, existsSync, rmSync } from "node:fs";
import { lazyBundles, lazyEntries } from "./scripts/esbuild-lazy.mjs";

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
    entryPoints: { extension: "src/extension.ts", ...lazyEntries, cli: "src/cli/bin.ts" },
    plugins: [lazyBundles],
    outdir: "dist",
    platform: "node",
    target: "node20",
    format: "cjs",
    // A lazy bundle is loaded with require: import() would load a CommonJS file through Node's ES
    // module loader, which first scans it for its exports (twice as slow for dist/app.js).
    supported: { "dynamic-import": false },
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

// Bundles an earlier layout made (a renamed entry) must not ship in the VSIX: only this build's stay.
const hostEntries = new Set(Object.keys(builds[0].entryPoints));
for (const file of existsSync("dist") ? readdirSync("dist") : []) {
  const bundle = /^(.*)\.js(\.map)?$/.exec(file)?.[1];
  if (bundle && !hostEntries.has(bundle)) rmSync(`dist/${file}`);
}

if (watch) {
  for (const options of builds) await (await context(options)).watch();
} else {
  await Promise.all(builds.map((options) => build(options)));
}
