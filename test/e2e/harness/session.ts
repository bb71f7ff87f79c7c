import { chmod, cp, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject, onTestFinished, type TestContext } from "vitest";
import { removeRunContainers, startCodeServer, type CodeServer } from "./codeServer";
import { repoRoot, resultsDir } from "./paths";
import { launchBrowser, Workbench } from "./workbench";

export interface VsCodeOptions {
  /** Screenshot file name prefix (default: from the test's name). */
  name?: string;
  /** Workspace Trust: "off" trusts everything (the default); "prompt" lets the window ask. */
  trust?: "off" | "prompt";
  /** More user settings. */
  settings?: Record<string, unknown>;
  /** Changes the workspace copy before the window opens (make a variant of an example). */
  prepare?: (workspace: string) => Promise<void>;
  /** More environment for code-server and its extension host, e.g. KUBECONFIG. */
  env?: Record<string, string>;
}

export interface VsCodeSession {
  workbench: Workbench;
  /** The private copy of examples/ the window has open. */
  workspace: string;
  server: CodeServer;
}

/** A fresh copy of examples/ (no earlier outputs or run records), readable by the job's non-root user. */
export async function copyExamples(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "parity-e2e-ws-"));
  await chmod(dir, 0o755);
  const skip = new Set(["outputs", ".parity"]);
  await cp(path.join(repoRoot, "examples"), dir, {
    recursive: true,
    filter: (source) => !skip.has(path.basename(source)),
  });
  return dir;
}

/** The test's name as a file name prefix: "smoke > activates" -> "smoke-activates". */
export function testSlug(context: TestContext): string {
  const names: string[] = [];
  let task: { name: string; suite?: unknown } | undefined = context.task;
  while (task && task.name) {
    names.unshift(task.name);
    task = task.suite as typeof task;
  }
  return names
    .join("-")
    .toLowerCase()
    .replace(/\.e2e\.test\.ts$/, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);
}

/**
 * code-server with the installed VSIX on a fresh copy of the examples, and Chromium showing it.
 * Everything is torn down when the test ends; a failed test first leaves a screenshot and the
 * window's logs in test-results/e2e/.
 */
export async function openVsCode(context: TestContext, options: VsCodeOptions = {}): Promise<VsCodeSession> {
  const setup = inject("parityE2e");
  const name = options.name ?? testSlug(context);
  const workspace = await copyExamples();
  const cleanups: Array<() => Promise<unknown>> = [
    async () => {
      // Once code-server is gone: containers of its runs that outlived it (deactivate had no time
      // to stop them), found by the run ids recorded in this workspace, before the records go.
      const left = await removeRunContainers(workspace).catch((error: unknown) => {
        console.warn(`[e2e] could not remove the run containers of ${workspace}: ${String(error)}`);
        return [];
      });
      if (left.length > 0)
        console.warn(`[e2e] ${name}: removed ${left.length} run container(s) left running`);
      await rm(workspace, { recursive: true, force: true });
    },
  ];
  // Filled in as the window comes up; the end-of-test hook uses what is there.
  const opened: { workbench?: Workbench; server?: CodeServer } = {};
  onTestFinished(async ({ task }) => {
    if (task.result?.state === "fail") {
      await opened.workbench?.screenshot("failure").catch(() => undefined);
      if (opened.server) await keepLogs(opened.server, name).catch(() => undefined);
    }
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  await options.prepare?.(workspace);
  const server = await startCodeServer({
    bin: setup.codeServerBin,
    extensionsDir: setup.extensionsDir,
    workspace,
    trust: options.trust ?? "off",
    settings: options.settings ?? {},
    runner: setup.runner,
    env: options.env,
  });
  opened.server = server;
  cleanups.push(() => server.stop());
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const workbench = await Workbench.open(browser, server.url, workspace, name);
  opened.workbench = workbench;
  return { workbench, workspace, server };
}

/** Copies code-server's output and the window's logs (extension host, output channels) next to the screenshots. */
async function keepLogs(server: CodeServer, name: string): Promise<void> {
  const target = path.join(resultsDir, `${name}-logs`);
  await mkdir(target, { recursive: true });
  await cp(server.logFile, path.join(target, "code-server.log")).catch(() => undefined);
  const logs = await readdir(server.logsDir).catch(() => []);
  for (const entry of logs)
    await cp(path.join(server.logsDir, entry), path.join(target, entry), { recursive: true });
}
