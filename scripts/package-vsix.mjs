// Packages the extension as a user installs it: a production build (minified, no source maps)
// and `vsce package --no-dependencies` (the bundle holds everything it needs) into .cache/parity.vsix.
// Usage: node scripts/package-vsix.mjs [--out <file.vsix>] [--skip-build]
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync } from "node:fs";
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

const vsce = join(root, "node_modules/@vscode/vsce/vsce");
if (!args.includes("--skip-build")) run(process.execPath, ["esbuild.mjs", "--production"]);

// .vscodeignore decides what goes in: check that the main bundle and every bundle it loads
// (a lazily imported second bundle, say) and the webview folder are among the files.
const listed = new Set(
  execFileSync(process.execPath, [vsce, "ls", "--no-dependencies"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean),
);
const main = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).main.replace(/^\.\//, "");
const missing = [];
const visit = (file, seen = new Set()) => {
  if (seen.has(file)) return;
  seen.add(file);
  if (!listed.has(file)) missing.push(file);
  let text = "";
  try {
    text = readFileSync(join(root, file), "utf8");
  } catch {
    return;
  }
  for (const match of text.matchAll(/(?:require|import)\(\s*["'](\.\.?\/[^"']+)["']\s*\)/g)) {
    const target = join(dirname(file), match[1]).replace(/\\/g, "/");
    // Native add-ons (ssh2's optional crypto binding) are left out on purpose and never loaded.
    if (/\.node$/.test(target)) continue;
    visit(/\.[cm]?js$/.test(target) ? target : `${target}.js`, seen);
  }
};
visit(main);
if (![...listed].some((file) => file.startsWith("dist/webview/"))) missing.push("dist/webview/*");
if (missing.length > 0) {
  console.error(`package-vsix: .vscodeignore leaves out what the extension loads: ${missing.join(", ")}`);
  process.exit(1);
}

mkdirSync(dirname(out), { recursive: true });
run(process.execPath, [
  vsce,
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
