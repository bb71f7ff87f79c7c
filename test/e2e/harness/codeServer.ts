import { spawn, execFile } from "node:child_process";
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, isAlive } from "../../helpers/system";

const execFileAsync = promisify(execFile);

/** User settings every E2E window gets: no welcome page, no tips, no update or telemetry traffic. */
export const baseSettings: Record<string, unknown> = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "git.enabled": false,
  "window.restoreWindows": "none",
  "files.hotExit": "off",
  "workbench.editor.enablePreview": false,
  "chat.disableAIFeatures": true,
  "notebook.experimental.remoteSave": false,
};

export interface CodeServerOptions {
  /** code-server's binary (scripts/ensure-code-server.sh prints it). */
  bin: string;
  /** Folder with the installed extension (shared, prepared once by the global setup). */
  extensionsDir: string;
  /** The folder the window opens. */
  workspace: string;
  /** Workspace Trust on (the window asks, or stays restricted) or off (everything trusted). */
  trust: "off" | "prompt";
  /** More user settings (they win over baseSettings). */
  settings?: Record<string, unknown>;
  /** The pid of the vitest run that owns this window (its global setup's process). */
  runner?: number;
  /** More environment for code-server and its extension host (KUBECONFIG for the cluster tests). */
  env?: Record<string, string>;
}

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  userDataDir: string;
  /** code-server's own output (stdout and stderr). */
  logFile: string;
  /** The extension host's log folder in the user data dir (exthost.log, output channels). */
  logsDir: string;
  /** The remote extension host's log (activation lines, extension errors) so far. */
  extensionHostLog(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Installs a packaged extension exactly as a user would, into the given extensions folder. */
export async function installExtension(bin: string, vsix: string, extensionsDir: string): Promise<string> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), "parity-e2e-install-"));
  try {
    const { stdout, stderr } = await execFileAsync(
      bin,
      [
        "--install-extension",
        vsix,
        "--force",
        "--extensions-dir",
        extensionsDir,
        "--user-data-dir",
        userDataDir,
        "--config",
        writeConfig(userDataDir),
      ],
      { timeout: 120_000 },
    );
    return `${stdout}${stderr}`.trim();
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

function writeConfig(dir: string): string {
  // Its own config file: code-server would otherwise read (or write) ~/.config/code-server.
  const file = path.join(dir, "code-server.yaml");
  writeFileSync(file, "auth: none\ncert: false\n");
  return file;
}

/**
 * Starts code-server on a free loopback port with its own user data folder, in its own process
 * group (setsid), and waits until it answers. stop() ends that process group, by its id.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), "parity-e2e-user-"));
  const settings = {
    ...baseSettings,
    "security.workspace.trust.enabled": options.trust === "prompt",
    ...(options.trust === "prompt" ? { "security.workspace.trust.startupPrompt": "always" } : {}),
    ...options.settings,
  };
  mkdirSync(path.join(userDataDir, "User"), { recursive: true });
  writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify(settings, null, 2));
  const config = writeConfig(userDataDir);
  const logFile = path.join(userDataDir, "code-server.log");

  let lastError: unknown;
  // A port is chosen free and bound a moment later: another process can take it meanwhile.
  for (let attempt = 0; attempt < 2; attempt++) {
    const port = await freePort();
    const out = openSync(logFile, "a");
    const child = spawn(
      "setsid",
      [
        options.bin,
        "--auth",
        "none",
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--config",
        config,
        "--user-data-dir",
        userDataDir,
        "--extensions-dir",
        options.extensionsDir,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-getting-started-override",
        options.workspace,
      ],
      {
        stdio: ["ignore", out, out],
        env: { ...process.env, ...options.env, VSCODE_IPC_HOOK_CLI: "", PASSWORD: "" },
      },
    );
    closeSync(out);
    const pid = child.pid!;
    let exited = false;
    child.once("exit", () => (exited = true));
    const stopGroup = async () => {
      // setsid made pid the leader of a new process group: end the whole group (extension host,
      // file watcher, terminals, and the containers' CLI helpers started from it).
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        try {
          process.kill(-pid, signal);
        } catch {
          return;
        }
        for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
        if (!isAlive(pid)) return;
      }
    };
    const onExit = () => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    process.once("exit", onExit);
    const note = noteRunning(pid, { userDataDir, workspace: options.workspace, runner: options.runner });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    let ready = false;
    while (Date.now() < deadline && !exited) {
      try {
        const response = await fetch(`${url}/healthz`);
        if (response.ok) {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    if (ready) {
      return {
        url,
        port,
        pid,
        userDataDir,
        logFile,
        logsDir: path.join(userDataDir, "logs"),
        extensionHostLog: () => readExtensionHostLog(path.join(userDataDir, "logs")),
        stop: async () => {
          await stopGroup();
          process.off("exit", onExit);
          rmSync(note, { force: true });
          if (!process.env.PARITY_E2E_KEEP) rmSync(userDataDir, { recursive: true, force: true });
        },
      };
    }
    await stopGroup();
    process.off("exit", onExit);
    rmSync(note, { force: true });
    lastError = new Error(
      `code-server did not answer on port ${port} within 60 s; its output:\n${tail(logFile)}`,
    );
  }
  throw lastError;
}

/** Where each running code-server is noted, so that a test run killed outright is cleaned up by the next. */
const runningDir = () => path.join(tmpdir(), "parity-e2e-running");

interface RunningNote {
  pid: number;
  userDataDir?: string;
  workspace?: string;
  extensionsDir?: string;
  /** The vitest process (global setup) of the run that noted it. */
  runner?: number;
}

/** Notes a process of this harness and the temporary folders that go with it; returns the note's path. */
export function noteRunning(pid: number, folders: Omit<RunningNote, "pid">): string {
  mkdirSync(runningDir(), { recursive: true });
  const file = path.join(runningDir(), `${pid}.json`);
  writeFileSync(file, JSON.stringify({ pid, ...folders }));
  return file;
}

/** Only the harness's own temporary folders are removed. */
function isOurFolder(dir: string | undefined): dir is string {
  return (
    !!dir && path.dirname(dir) === tmpdir() && /^parity-e2e-(user|ws|extensions)-/.test(path.basename(dir))
  );
}

function removeOurFolder(dir: string | undefined): void {
  if (isOurFolder(dir)) rmSync(dir, { recursive: true, force: true });
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/** A vitest process still running (pid alive and its command line names vitest). */
function vitestAlive(pid: number): boolean {
  return commandLineOf(pid).includes("vitest");
}

/**
 * Cleans up after windows whose run is over: a test run killed outright (SIGKILL, a CI timeout)
 * runs no teardown, so its code-servers live on, the containers the extension started in them
 * keep running and its folders stay. For every note of a finished run (its vitest is gone), or
 * of this run when `runner` is given (the global teardown): stops the noted code-server (only a
 * noted pid still running code-server with the noted folder), stops and removes the containers
 * of the runs recorded in the noted workspace (by their dev.parity.run label, nothing else), and
 * removes the folders. Notes of another run still going are left alone.
 */
export async function stopLeftovers(log: (line: string) => void, runner?: number): Promise<void> {
  for (const name of safeReaddir(runningDir())) {
    const file = path.join(runningDir(), name);
    let note: RunningNote;
    try {
      note = JSON.parse(readFileSync(file, "utf8")) as RunningNote;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    const ours = runner !== undefined && note.runner === runner;
    if (!ours) {
      if (note.runner !== undefined && vitestAlive(note.runner)) continue;
      // The global setup's own note (an extensions folder) of a run still going.
      if (note.extensionsDir && note.pid !== process.pid && vitestAlive(note.pid)) continue;
    }
    const commandLine = commandLineOf(note.pid);
    if (note.userDataDir && commandLine.includes("code-server") && commandLine.includes(note.userDataDir)) {
      log(
        `stopping code-server (pid ${note.pid}) left by ${ours ? "a test that did not end" : "a killed run"}`,
      );
      try {
        process.kill(-note.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    if (isOurFolder(note.workspace)) {
      try {
        const removed = await removeRunContainers(note.workspace);
        if (removed.length > 0) log(`removed ${removed.length} run container(s) left in ${note.workspace}`);
      } catch (error) {
        log(`could not remove the run containers of ${note.workspace}: ${String(error)}`);
      }
    }
    removeOurFolder(note.userDataDir);
    removeOurFolder(note.workspace);
    removeOurFolder(note.extensionsDir);
    rmSync(file, { force: true });
  }
}

/** The label the extension puts on a run's container: its value is the run id. */
export const RUN_LABEL = "dev.parity.run";

/**
 * The ids of the runs recorded under a workspace: every `<folder>/.parity/runs/<runId>/` at most
 * four folders deep (a run is recorded in the notebook's project folder, e.g. train/).
 */
export function recordedRunIds(workspace: string, depth = 4): string[] {
  const ids: string[] = [];
  const walk = (dir: string, level: number) => {
    for (const run of safeReaddir(path.join(dir, ".parity", "runs"))) {
      if (isDirectory(path.join(dir, ".parity", "runs", run))) ids.push(run);
    }
    if (level >= depth) return;
    for (const entry of safeReaddir(dir)) {
      if (entry === "node_modules" || entry === ".parity" || entry === "outputs") continue;
      const child = path.join(dir, entry);
      if (isDirectory(child)) walk(child, level + 1);
    }
  };
  walk(workspace, 0);
  return ids;
}

function isDirectory(file: string): boolean {
  try {
    return lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Stops and removes the containers of the runs recorded under `workspace` (label dev.parity.run =
 * one of their run ids), running or not; no other container is touched. Returns their ids.
 */
export async function removeRunContainers(workspace: string): Promise<string[]> {
  const runIds = new Set(recordedRunIds(workspace));
  if (runIds.size === 0) return [];
  const { stdout } = await execFileAsync(
    "docker",
    [
      "ps",
      "--all",
      "--no-trunc",
      "--filter",
      `label=${RUN_LABEL}`,
      "--format",
      `{{.ID}}\t{{.Label "${RUN_LABEL}"}}`,
    ],
    { timeout: 30_000 },
  );
  const containers = stdout
    .split("\n")
    .map((line) => line.trim().split("\t"))
    .filter(([id, runId]) => id && runId && runIds.has(runId))
    .map(([id]) => id!);
  if (containers.length === 0) return [];
  // rm --force kills a running container, then removes it.
  await execFileAsync("docker", ["rm", "--force", "--volumes", ...containers], { timeout: 60_000 });
  return containers;
}

function readExtensionHostLog(logsDir: string): string {
  let text = "";
  for (const session of safeReaddir(logsDir)) {
    for (const host of safeReaddir(path.join(logsDir, session)).filter((name) =>
      name.startsWith("exthost"),
    )) {
      try {
        text += readFileSync(path.join(logsDir, session, host, "remoteexthost.log"), "utf8");
      } catch {
        // not written yet
      }
    }
  }
  return text;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}
