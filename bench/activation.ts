// How long the extension takes to activate in a real VS Code (code-server), and how big the VSIX
// is. Packages the VSIX in production mode, installs it into code-server, then per run: a fresh
// code-server and browser window on a copy of examples/, the Parity view opened (that activates
// the extension), and the activation time read from Developer: Show Running Extensions, the
// figure VS Code itself shows users (code loading + the activate() call).
// Usage: npm run bench, or node scripts/run-ts.mjs bench/activation.ts [runs] (default 5)
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { installExtension, startCodeServer } from "../test/e2e/harness/codeServer";
import { launchBrowser, Workbench, extensionId } from "../test/e2e/harness/workbench";

const runs = Number(process.argv[2] ?? 5);
const root = process.cwd();
const vsix = path.join(root, ".cache", "parity.vsix");

const bin = execFileSync("bash", [path.join(root, "scripts/ensure-code-server.sh")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
}).trim();
execFileSync(process.execPath, [path.join(root, "scripts/package-vsix.mjs"), "--out", vsix], {
  stdio: ["ignore", "ignore", "inherit"],
});
const vsixBytes = statSync(vsix).size;
const mainBytes = statSync(path.join(root, "dist", "extension.js")).size;
const extensionsDir = mkdtempSync(path.join(tmpdir(), "parity-bench-extensions-"));
await installExtension(bin, vsix, extensionsDir);

/** One fresh window: the activation time VS Code reports for Parity, in milliseconds. */
async function measure(browser: Awaited<ReturnType<typeof launchBrowser>>): Promise<number> {
  const workspace = mkdtempSync(path.join(tmpdir(), "parity-bench-ws-"));
  chmodSync(workspace, 0o755);
  cpSync(path.join(root, "examples"), workspace, {
    recursive: true,
    filter: (source) => ![".parity", "outputs"].includes(path.basename(source)),
  });
  const server = await startCodeServer({ bin, extensionsDir, workspace, trust: "off" });
  let workbench: Workbench | undefined;
  try {
    workbench = await Workbench.open(browser, server.url, workspace, "bench-activation");
    await workbench.openParityView();
    const deadline = Date.now() + 30_000;
    while (!server.extensionHostLog().includes(`_doActivateExtension ${extensionId}`)) {
      if (Date.now() > deadline) throw new Error("Parity did not activate within 30 s of opening its view");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await workbench.runCommand("Developer: Show Running Extensions");
    const time = workbench.page
      .locator('.runtime-extensions-editor .monaco-list-row[aria-label="parity"] .activation-time')
      .first();
    await time.waitFor({ timeout: 30_000 });
    const text = await time.innerText();
    const ms = /([\d.]+)\s*ms/.exec(text);
    if (!ms) throw new Error(`unexpected activation text: "${text}"`);
    return Number(ms[1]);
  } finally {
    await workbench?.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

const browser = await launchBrowser();
const times: number[] = [];
try {
  console.log(`bench: Parity's activation in code-server (VS Code 1.100), ${runs} fresh windows`);
  for (let run = 1; run <= runs; run++) {
    const ms = await measure(browser);
    times.push(ms);
    console.log(`run ${run}: activation ${ms} ms`);
  }
} finally {
  await browser.close();
  rmSync(extensionsDir, { recursive: true, force: true });
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(
  `activation: median ${median} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms (code loading + activate(), as Show Running Extensions reports)`,
);
console.log(
  `VSIX: ${vsixBytes} bytes (${(vsixBytes / 1024).toFixed(1)} KiB); dist/extension.js, loaded at activation: ${mainBytes} bytes`,
);
