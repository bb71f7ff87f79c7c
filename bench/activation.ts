// How long the extension takes to activate in a real VS Code (code-server), how long until the
// Parity view shows its first row, and how big the VSIX is. Packages the VSIX in production mode,
// installs it into code-server, then per run: a fresh code-server and browser window on a copy of
// examples/, once the window's own start-up is over the Parity view opened (that activates the
// extension), and two figures:
// - activation: read from Developer: Show Running Extensions, the figure VS Code itself shows
//   users (code loading + the activate() call);
// - first row: measured in the browser, from the click that opens the Parity view to the next
//   frame after the first row of its Environment or Runs view is in the page. Work that activation
//   no longer does (loading dist/host.js, the services, the views' data) is counted here.
// With --baseline <vsix> (another build, e.g. the last commit's, packaged with
// scripts/package-vsix.mjs), each run measures both in turn, with the same method, and prints both.
// Usage: npm run bench, or node scripts/run-ts.mjs bench/activation.ts [runs] [--baseline <vsix>]
// (default 5 runs)
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { installExtension, startCodeServer } from "../test/e2e/harness/codeServer";
import { launchBrowser, Workbench, extensionId } from "../test/e2e/harness/workbench";

const args = process.argv.slice(2);
const baselineAt = args.indexOf("--baseline");
const baselineVsix = baselineAt >= 0 ? path.resolve(args[baselineAt + 1] ?? "") : undefined;
const runs = Number(
  args.find((arg, index) => baselineAt < 0 || (index !== baselineAt && index !== baselineAt + 1)) ?? 5,
);
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
const bundleBytes = (name: string): number => statSync(path.join(root, "dist", `${name}.js`)).size;
// Read now: the VSIX was packaged from these.
const [mainBytes, hostBytes, commandsBytes, panelsBytes] = ["extension", "host", "commands", "panels"].map(
  bundleBytes,
);
/** A build under test: its VSIX, installed into an extensions folder of its own. */
interface Build {
  name: string;
  extensionsDir: string;
  activation: number[];
  firstRow: number[];
}

async function install(name: string, file: string): Promise<Build> {
  const extensionsDir = mkdtempSync(path.join(tmpdir(), "parity-bench-extensions-"));
  await installExtension(bin, file, extensionsDir);
  return { name, extensionsDir, activation: [], firstRow: [] };
}

const builds = [await install("this tree", vsix)];
if (baselineVsix) builds.push(await install(`baseline ${path.basename(baselineVsix)}`, baselineVsix));

/**
 * Until the extension host has logged nothing new for a while. The extensions that start with the
 * window (built-in ones) run on the same thread, and VS Code's figure is wall time: an activation
 * measured among theirs counts some of their work.
 */
async function extensionHostQuiet(log: () => string, quietMs = 2000, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = log();
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = log();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

/**
 * In the page, before the Parity view is opened: records when the click that opens it comes
 * (performance.now()), and the next frame after a row of the Environment or Runs view is in the page.
 */
function watchFirstRow(): void {
  const bench: { clicked?: number; drawn?: number; row?: string } = {};
  (window as unknown as { parityBench: typeof bench }).parityBench = bench;
  window.addEventListener("pointerdown", () => (bench.clicked ??= performance.now()), { capture: true });
  /** The first row of the Environment or Runs view, as "View: text". */
  const firstRow = (): string | undefined => {
    for (const pane of Array.from(document.querySelectorAll(".part.sidebar .pane"))) {
      const title = pane.querySelector(".pane-header h3.title")?.textContent?.trim() ?? "";
      const row = pane.querySelector<HTMLElement>(".pane-body .monaco-list-row");
      if (/^(environment|runs)$/i.test(title) && row)
        return `${title}: ${row.innerText.replace(/\s+/g, " ")}`;
    }
    return undefined;
  };
  const observer = new MutationObserver(() => {
    const row = bench.clicked === undefined ? undefined : firstRow();
    if (row === undefined) return;
    observer.disconnect();
    bench.row = row;
    requestAnimationFrame(() => (bench.drawn = performance.now()));
  });
  observer.observe(document.body, { childList: true, subtree: true });
}

/** One fresh window: the activation time VS Code reports for Parity and the first row's time, in milliseconds. */
async function measure(
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  extensionsDir: string,
): Promise<{ activation: number; firstRow: number; row: string }> {
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
    await extensionHostQuiet(() => server.extensionHostLog());
    await workbench.page.evaluate(watchFirstRow);
    await workbench.openParityView();
    const deadline = Date.now() + 30_000;
    const first = await workbench.page
      .waitForFunction(
        () => {
          const { clicked, drawn, row } = (
            window as unknown as { parityBench: { clicked?: number; drawn?: number; row?: string } }
          ).parityBench;
          return clicked !== undefined && drawn !== undefined ? { ms: drawn - clicked, row } : undefined;
        },
        undefined,
        { timeout: 30_000, polling: 100 },
      )
      .then((handle) => handle.jsonValue() as Promise<{ ms: number; row: string }>);
    while (!server.extensionHostLog().includes(`_doActivateExtension ${extensionId}`)) {
      if (Date.now() > deadline) throw new Error("Parity did not activate within 30 s of opening its view");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await workbench.runCommand("Developer: Show Running Extensions");
    const time = workbench.page
      .locator('.runtime-extensions-editor .monaco-list-row[aria-label="parity"] .activation-time')
      .first();
    await time.waitFor({ timeout: 30_000 });
    // "Activating..." until activate()'s promise settles; then the figure.
    let text = "";
    while (Date.now() < deadline + 30_000) {
      text = await time.innerText();
      const ms = /([\d.]+)\s*ms/.exec(text);
      if (ms) return { activation: Number(ms[1]), firstRow: Math.round(first.ms), row: first.row };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`unexpected activation text: "${text}"`);
  } finally {
    await workbench?.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

const browser = await launchBrowser();
try {
  const what = builds.map((build) => build.name).join(" and ");
  console.log(
    `bench: Parity's activation in code-server (VS Code 1.100), ${runs} fresh windows each: ${what}`,
  );
  for (let run = 1; run <= runs; run++) {
    for (const build of builds) {
      const { activation, firstRow, row } = await measure(browser, build.extensionsDir);
      build.activation.push(activation);
      build.firstRow.push(firstRow);
      console.log(
        `run ${run} (${build.name}): activation ${activation} ms, view opened to first row ${firstRow} ms ("${row}")`,
      );
    }
  }
} finally {
  await browser.close();
  for (const build of builds) rmSync(build.extensionsDir, { recursive: true, force: true });
}

const summary = (times: number[]): string => {
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms`;
};
for (const build of builds) {
  console.log(
    `${build.name}: activation ${summary(build.activation)} (code loading + activate(), as Show Running Extensions reports)`,
  );
  console.log(
    `${build.name}: Parity view opened to first row ${summary(build.firstRow)} (in the browser: the click on the Parity view to the frame after the first Environment or Runs row)`,
  );
}
console.log(
  `VSIX (this tree): ${vsixBytes} bytes (${(vsixBytes / 1024).toFixed(1)} KiB); dist/extension.js, loaded at activation: ${mainBytes} bytes`,
);
// What the first view to ask for rows loads (after activation), and the first command with it.
console.log(
  `on first use: dist/host.js ${hostBytes} bytes (services, views, status bar); with the first command dist/commands.js ${commandsBytes} bytes and dist/panels.js ${panelsBytes} bytes`,
);
