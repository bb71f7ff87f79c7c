import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";

/** One control-plane process as the harness started it: enough to stop or restart it by pid. */
export interface ComponentProcess {
  name: string;
  pid: number;
  binary: string;
  args: string[];
  log: string;
  /** Variables set for it beside the test process's own (a restart sets them again). */
  env?: Record<string, string>;
  /**
   * A command that ends by exec'ing the binary with its args (e.g. in a private mount namespace):
   * the pid is then the binary's own. Until the exec, `isOurs` is false (see `execed`).
   */
  launcher?: string[];
}

export { freePort } from "../../helpers/system.js";

/**
 * Starts a binary detached (its own process group, output appended to its log file), so it can
 * outlive the caller for `npm run cluster:up` and is stopped only by its pid.
 */
export function startProcess(
  name: string,
  binary: string,
  args: string[],
  log: string,
  env?: Record<string, string>,
  launcher?: string[],
): ComponentProcess {
  const fd = openSync(log, "a");
  try {
    const [command, ...argv] = launcher ? [...launcher, binary, ...args] : [binary, ...args];
    const child = spawn(command!, argv, {
      detached: true,
      stdio: ["ignore", fd, fd],
      ...(env && { env: { ...process.env, ...env } }),
    });
    // A missing binary is reported below by the absent pid; without a listener its 'error'
    // event would crash the test process instead.
    child.once("error", () => undefined);
    if (child.pid === undefined) throw new Error(`${name} did not start (${binary})`);
    child.unref();
    return { name, pid: child.pid, binary, args, log, ...(env && { env }), ...(launcher && { launcher }) };
  } finally {
    closeSync(fd);
  }
}

/** True while the pid runs (not a zombie), whatever its binary. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** True while the pid is alive and is still the binary we started (pids are reused). */
export function isOurs(component: ComponentProcess): boolean {
  const cmdline = `/proc/${component.pid}/cmdline`;
  if (!existsSync(cmdline)) return false;
  try {
    const argv0 = readFileSync(cmdline, "utf8").split("\0")[0] ?? "";
    const stat = readFileSync(`/proc/${component.pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return argv0 === component.binary && state !== "Z";
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A launched component (see `launcher`) once its launcher has exec'd the binary; fails when the
 * launcher exited before that (its reason is in the component's log).
 */
export async function execed(component: ComponentProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!isOurs(component)) {
    if (!running(component.pid) || Date.now() > deadline) {
      throw new Error(`${component.name} did not start (see ${component.log})`);
    }
    await sleep(20);
  }
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
export async function stopProcess(component: ComponentProcess, graceMs = 10_000): Promise<void> {
  if (!isOurs(component)) return;
  process.kill(component.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isOurs(component) && Date.now() < deadline) await sleep(100);
  if (isOurs(component)) {
    process.kill(component.pid, "SIGKILL");
    while (isOurs(component)) await sleep(50);
  }
}

/** Resident memory of a live process in bytes (0 once it is gone). */
export function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Polls `probe` until it returns true; fails early when the component has exited. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  component: ComponentProcess | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (component && !isOurs(component)) {
      throw new Error(`${component.name} exited while waiting for ${what}; see ${component.log}`);
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(250);
  }
  const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${detail}`);
}
