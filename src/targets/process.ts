import { spawn } from "node:child_process";
import { accessSync, constants as fsConstants, existsSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { CancelledError, ParityError } from "../core/errors";

export interface RunProcessOptions {
  cwd?: string;
  /** The child's whole environment; the parent's when absent. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Written to the child's stdin, which is then closed (at once when absent). */
  input?: string | Buffer;
  /** How long the process group has after SIGTERM before SIGKILL. */
  killGraceMs?: number;
}

export interface ProcessResult {
  /** Exit code, or 128 + signal number when a signal ended the process. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Output kept per stream; chatty tools (debootstrap) would otherwise grow without bound. */
const MAX_CAPTURE_CHARS = 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 5_000;

/**
 * Process groups still running, killed if Parity itself exits. Children are detached into their
 * own group, so the terminal's Ctrl-C does not reach them: we are responsible for them.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of liveGroups) killGroup(pid, "SIGKILL");
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Runs a program with an argument array (never through a shell) in its own process group.
 * Resolves with its exit code and output, whatever the code; rejects with CancelledError when
 * `signal` aborts, after SIGTERM (then SIGKILL) has been sent to the whole group.
 */
export function runProcess(
  command: string,
  args: string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  installExitHook();

  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: "pipe",
    });
    const pid = child.pid;
    let stdout = "";
    let stderr = "";
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const onAbort = (): void => {
      if (pid === undefined || cancelled) return;
      cancelled = true;
      killGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    };
    if (pid !== undefined) liveGroups.add(pid);
    signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout = keepTail(stdout + chunk);
      options.onStdout?.(chunk);
    });
    child.stderr.on("data", (chunk: string) => {
      stderr = keepTail(stderr + chunk);
      options.onStderr?.(chunk);
    });
    // A child that exits without reading its input must not crash us with EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input);

    const finish = (): void => {
      signal?.removeEventListener("abort", onAbort);
      if (pid !== undefined) {
        // Grandchildren may outlive the leader; after a cancel they must not.
        if (cancelled) killGroup(pid, "SIGKILL");
        liveGroups.delete(pid);
      }
      if (killTimer) clearTimeout(killTimer);
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      finish();
      if (error.code === "ENOENT") {
        reject(
          new ParityError("ProgramMissing", `The program "${command}" is not installed or not on PATH.`, {
            fix: `Install ${command} (on Debian: apt-get install ${command}) and try again.`,
            cause: error,
          }),
        );
      } else {
        reject(error);
      }
    });
    child.on("close", (code, exitSignal) => {
      finish();
      if (cancelled) {
        reject(new CancelledError());
        return;
      }
      resolve({ code: code ?? signalExitCode(exitSignal), stdout, stderr });
    });
  });
}

function keepTail(text: string): string {
  return text.length > MAX_CAPTURE_CHARS ? text.slice(text.length - MAX_CAPTURE_CHARS) : text;
}

function signalExitCode(signal: NodeJS.Signals | null): number {
  return 128 + ((signal && constants.signals[signal]) ?? 0);
}

/** Where `program` is on PATH (as a shell would find it), or undefined when it is not. */
export function findProgram(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (program.includes("/")) return isExecutable(program) ? program : undefined;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir || ".", program);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ProgramNeed {
  program: string;
  /** The Debian package that provides it. */
  debianPackage: string;
  /** What needs it, completing "<purpose> needs <program>". */
  purpose: string;
}

/** The machine facts that decide which install command Parity can offer. */
export interface InstallHost {
  uid?: number;
  /** Debian or a derivative with apt-get. */
  debian: boolean;
}

export function installHost(): InstallHost {
  return {
    uid: process.getuid?.(),
    debian: existsSync("/etc/debian_version") && findProgram("apt-get") !== undefined,
  };
}

/** Says which package is missing and the exact command that installs it, where Parity knows it. */
export function programMissing(need: ProgramNeed, host: InstallHost): ParityError {
  const install = `apt-get install -y ${need.debianPackage}`;
  const fix = !host.debian
    ? `Install ${need.program} with your system's package manager (on Debian and Ubuntu its package is ${need.debianPackage}), then run the command again.`
    : host.uid === 0 || host.uid === undefined
      ? `Install it with: ${install} (then run the command again).`
      : `Install it with: sudo ${install} (then run the command again).`;
  return new ParityError(
    "ProgramMissing",
    `${need.purpose} needs the program ${need.program} (Debian package ${need.debianPackage}), which is not installed or not on PATH.`,
    { fix },
  );
}

/** Throws programMissing's error unless every program is on PATH. */
export function requirePrograms(
  needs: ProgramNeed[],
  env: NodeJS.ProcessEnv = process.env,
  host: InstallHost = installHost(),
): void {
  const missing = needs.find((need) => findProgram(need.program, env) === undefined);
  if (missing) throw programMissing(missing, host);
}
