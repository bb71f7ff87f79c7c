// Packages the extension as a user installs it: a production build (minified, no source maps)
// and `vsce package --no-dependencies` (the bundle holds everything it needs) into .cache/parity.vsix.
// Usage: node scripts/package-vsix.mjs [--out <file.vsix>] [--skip-build]
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const out = resolve(
  outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1] : join(root, ".cache/parity.vsix"),
);
const started = Date.now();

const run = (command, commandArgs) =>
  execFileSync(command, commandArgs, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });

if (!args.includes("--skip-build")) run(process.execPath, ["esbuild.mjs", "--production"]);
mkdirSync(dirname(out), { recursive: true });
run(process.execPath, [
  join(root, "node_modules/@vscode/vsce/vsce"),
  "package",
  "--no-dependencies",
  // The project has no LICENSE file or repository URL yet; vsce would stop and ask about both.
  "--skip-license",
  "--allow-missing-repository",
  // README images are relative to the repository; the Marketplace is not where this VSIX goes.
  "--no-rewrite-relative-links",
  "--out",
  out,
]);
const bytes = statSync(out).size;
console.log(
  `package-vsix: ${out} (${bytes} bytes, ${(bytes / 1024).toFixed(1)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
