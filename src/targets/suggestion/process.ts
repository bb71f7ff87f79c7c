import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CancelledError, ParityError, throwIfCancelled } from "../../core/errors";
import type {
  AlgorithmSpec,
  SearchParameter,
  SuggestionReply,
  SuggestionRequest,
  ValidationProblem,
  ValidationRequest,
} from "../../core/tuning/types";
import { makeCacheDir } from "../cache";
import { claimFile, isAlive } from "../claim";
import { findProgram, installHost, runProcess } from "../process";
import { SUGGESTION_REQUIREMENTS, SUPPORTED_PYTHON } from "./requirements";
import suggestSource from "./suggest.py";

export interface SuggestionEnv {
  /** The environment's interpreter. */
  python: string;
  /** suggest.py, beside the environment. */
  script: string;
}

export interface EnsureSuggestionEnvOptions {
  /** The environment is `<cacheDir>/suggestion/<key>/`. */
  cacheDir: string;
  /** The interpreter the environment is made from: python3 on PATH by default. */
  python?: string;
  print?: (line: string) => void;
  signal?: AbortSignal;
}

/** The interpreter an environment is made from, as it describes itself. */
export interface BasePython {
  version: string;
  /** Its real path: a venv runs the interpreter it was made from. */
  executable: string;
  machine: string;
}

/** How often a process waiting for another's build looks whether it is done. */
const WAIT_MS = 250;
/** Written last, before the build folder is renamed into place. */
const BUILT_FILE = "built.json";

/**
 * The Python environment of the suggestion process, built once per content key (requirements,
 * script, interpreter) under the cache folder and reused after. Processes building the same key
 * take turns (a lock file), and a build is made in a folder of its own and renamed into place, so
 * nobody sees half an environment.
 */
export async function ensureSuggestionEnv(options: EnsureSuggestionEnvOptions): Promise<SuggestionEnv> {
  const { signal } = options;
  const print = options.print ?? (() => undefined);
  const base = await inspectPython(options.python ?? "python3", signal);
  const root = path.join(options.cacheDir, "suggestion");
  const dir = path.join(root, suggestionEnvKey(base));
  const env = { python: path.join(dir, "venv", "bin", "python"), script: path.join(dir, "suggest.py") };
  if (await isBuilt(dir)) return env;
  await makeCacheDir(root);
  const release = await lockBuild(`${dir}.lock`, print, signal);
  try {
    // The process this one waited for may have built it.
    if (await isBuilt(dir)) return env;
    await removeAbandonedBuilds(root);
    await buildEnv(root, dir, base, print, signal);
  } finally {
    await release();
  }
  return env;
}

/** What makes one environment differ from another: any change is a new folder beside the old. */
export function suggestionEnvKey(
  base: BasePython,
  requirements: readonly string[] = SUGGESTION_REQUIREMENTS,
  script: string = suggestSource,
): string {
  const canonical = JSON.stringify({ requirements, script, ...base });
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** "3.12.4" within [lowest, highest] minor versions. */
export function supportedPython(version: string, [lowest, highest] = SUPPORTED_PYTHON): boolean {
  const minor = (text: string): number[] => text.split(".").slice(0, 2).map(Number);
  const [major, given] = minor(version);
  const [, low] = minor(lowest);
  const [, high] = minor(highest);
  return major === 3 && given! >= low! && given! <= high!;
}

const INSPECT_PYTHON = [
  "import json, os, platform, sys",
  "from importlib.util import find_spec",
  "venv = all(find_spec(name) for name in ('venv', 'ensurepip'))",
  "print(json.dumps({'version': platform.python_version(), 'executable': os.path.realpath(sys.executable),",
  "  'machine': platform.machine(), 'venv': venv}))",
].join("\n");

async function inspectPython(python: string, signal: AbortSignal | undefined): Promise<BasePython> {
  if (!findProgram(python)) throw pythonMissing(python);
  const result = await runProcess(python, ["-I", "-c", INSPECT_PYTHON], { signal });
  if (result.code !== 0) {
    throw new ParityError(
      "SuggestionPythonFailed",
      `${python} could not be run:\n${lastLines(result.stderr)}`,
      {
        fix: `Check that ${python} starts (${python} --version), or install Python ${SUPPORTED_PYTHON.join(" to ")}.`,
      },
    );
  }
  const facts = JSON.parse(lastLines(result.stdout, 1)) as BasePython & { venv: boolean };
  if (!supportedPython(facts.version)) {
    throw new ParityError(
      "SuggestionPythonUnsupported",
      `The suggestion process needs Python ${SUPPORTED_PYTHON.join(" to ")} (its pinned libraries have wheels ` +
        `for those), and ${python} is Python ${facts.version}.`,
      {
        fix: `Make python3 on PATH a Python ${SUPPORTED_PYTHON.join(" to ")} (Debian 12 and Ubuntu 24.04 ship one).`,
      },
    );
  }
  if (!facts.venv) throw venvMissing(python, facts.version);
  const { version, executable, machine } = facts;
  return { version, executable, machine };
}

function pythonMissing(python: string): ParityError {
  const host = installHost();
  const sudo = host.uid === 0 || host.uid === undefined ? "" : "sudo ";
  return new ParityError(
    "SuggestionPythonMissing",
    `Parity's suggestion process (Katib's search algorithms) needs ${python}, which is not on PATH.`,
    {
      fix: host.debian
        ? `Install it with: ${sudo}apt-get install -y python3 python3-venv (then run the command again).`
        : `Install Python ${SUPPORTED_PYTHON.join(" to ")} with its venv module, then run the command again.`,
    },
  );
}

function venvMissing(python: string, version: string): ParityError {
  const host = installHost();
  const sudo = host.uid === 0 || host.uid === undefined ? "" : "sudo ";
  const debianPackage = `python${version.split(".").slice(0, 2).join(".")}-venv`;
  return new ParityError(
    "SuggestionVenvMissing",
    `${python} (Python ${version}) has no venv module with pip (ensurepip), which Parity needs to build ` +
      "the suggestion process's environment.",
    {
      fix: host.debian
        ? `Install it with: ${sudo}apt-get install -y ${debianPackage} (then run the command again).`
        : `Install Python's venv module (on Debian and Ubuntu: the package ${debianPackage}), then run the command again.`,
    },
  );
}

async function buildEnv(
  root: string,
  dir: string,
  base: BasePython,
  print: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started = Date.now();
  const work = path.join(root, `.build-${process.pid}-${randomBytes(4).toString("hex")}`);
  print(
    `Building the suggestion process's environment (hyperopt, optuna, scikit-optimize on Python ${base.version}) ` +
      `in ${dir}: once, about 20 s.`,
  );
  try {
    await mkdir(work);
    const venv = await runProcess(base.executable, ["-I", "-m", "venv", path.join(work, "venv")], { signal });
    if (venv.code !== 0) {
      const output = `${venv.stdout}\n${venv.stderr}`;
      if (/ensurepip|venv/i.test(output)) throw venvMissing(base.executable, base.version);
      throw new ParityError("SuggestionVenvFailed", `python -m venv failed:\n${lastLines(output)}`, {
        fix: `Check the free space and permissions of ${root}, then run the command again.`,
      });
    }
    const python = path.join(work, "venv", "bin", "python");
    const requirements = path.join(work, "requirements.txt");
    await writeFile(requirements, `${SUGGESTION_REQUIREMENTS.join("\n")}\n`);
    print(`Installing ${SUGGESTION_REQUIREMENTS.length} pinned packages with pip.`);
    await installRequirements(python, requirements, print, signal);
    await writeFile(path.join(work, "suggest.py"), suggestSource);
    const built = { python: base, requirements: SUGGESTION_REQUIREMENTS, builtAt: new Date().toISOString() };
    await writeFile(path.join(work, BUILT_FILE), `${JSON.stringify(built, null, 2)}\n`);
    await rename(work, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process that took over a stale lock at the same moment got there first: its is as good.
      if (!(await isBuilt(dir))) throw error;
    });
    print(`Built the suggestion process's environment in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function installRequirements(
  python: string,
  requirements: string,
  print: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  // Exactly the pinned set: no resolution, wheels only (nothing is compiled on the user's machine).
  const args = ["-I", "-m", "pip", "install", "--no-deps", "--only-binary=:all:", "--no-input"];
  args.push("--disable-pip-version-check", "--progress-bar", "off", "-r", requirements);
  const onLine = lineSplitter((line) => {
    if (line.startsWith("Collecting ")) print(`  ${line.replace(/ \(from .*\)$/, "")}`);
    if (line.startsWith("Installing collected packages")) print("  Installing them.");
  });
  const install = await runProcess(python, args, { signal, onStdout: onLine });
  if (install.code !== 0) {
    throw new ParityError(
      "SuggestionPipFailed",
      `pip could not install the suggestion process's packages (exit code ${install.code}):\n` +
        lastLines(`${install.stdout}\n${install.stderr}`),
      {
        fix:
          "Check that this machine reaches PyPI, or the index pip is configured with (PIP_INDEX_URL, pip.conf), " +
          "proxy settings included, then run the command again.",
      },
    );
  }
  const check = await runProcess(python, ["-I", "-m", "pip", "check"], { signal });
  if (check.code !== 0) {
    throw new ParityError(
      "SuggestionRequirementsIncomplete",
      `The suggestion process's pinned packages are inconsistent:\n${lastLines(check.stdout)}`,
      {
        fix: "This is a bug in Parity's src/targets/suggestion/requirements.ts: report it with these lines.",
      },
    );
  }
}

async function isBuilt(dir: string): Promise<boolean> {
  return stat(path.join(dir, BUILT_FILE)).then(
    () => true,
    () => false,
  );
}

/** Waits until no live process builds this environment, then holds the lock until the release. */
function lockBuild(
  file: string,
  print: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<() => Promise<void>> {
  let told = false;
  return claimFile(file, {
    async held(holder) {
      throwIfCancelled(signal);
      if (!told)
        print(`Waiting for process ${holder.pid}, which is building the suggestion process's environment.`);
      told = true;
      await sleep(WAIT_MS, undefined, { signal }).catch(() => {
        throw new CancelledError();
      });
    },
    contended: () =>
      new ParityError("SuggestionLockContended", `Other processes kept taking over the lock ${file}.`, {
        fix: "Run the command again.",
      }),
  });
}

/** Build folders of processes that died (killed, power loss) before cleaning up. */
async function removeAbandonedBuilds(root: string): Promise<void> {
  for (const name of await readdir(root)) {
    const pid = Number(/^\.build-(\d+)-/.exec(name)?.[1]);
    if (pid && !isAlive({ pid, host: hostname() }))
      await rm(path.join(root, name), { recursive: true, force: true });
  }
}

function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let pending = "";
  return (chunk) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) onLine(line.trimEnd());
  };
}

function lastLines(text: string, count = 10): string {
  return text
    .split("\n")
    .filter((line) => line.trim())
    .slice(-count)
    .join("\n");
}

export interface SuggestionProcessOptions {
  /** How long one reply may take; bayesianoptimization over hundreds of trials takes seconds. */
  replyTimeoutMs?: number;
}

type Reply = Record<string, unknown>;

/**
 * The models' matrices are small (one row a trial): BLAS threads only contend, with each other and
 * with the trials running beside (a Gaussian process fit is 3 to 8 times slower with them).
 */
const ONE_THREAD = { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
const DEFAULT_REPLY_TIMEOUT_MS = 120_000;
const KILL_GRACE_MS = 2_000;
const STDERR_LINES_KEPT = 20;

/**
 * suggest.py running in its environment, asked one request at a time. Started in its own process
 * group, so the terminal's Ctrl-C does not reach it (Parity decides when it stops); if Parity dies
 * without disposing it, its stdin closes and it exits.
 */
export class SuggestionProcess {
  private queue: Promise<unknown> = Promise.resolve();
  private pending?: { id: number; resolve(reply: Reply): void; reject(error: unknown): void };
  private failure?: Error;
  private exited = false;
  private nextId = 1;
  private readonly stderrTail: string[] = [];
  private readonly onAbort = (): void => this.dispose();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly env: SuggestionEnv,
    private readonly replyTimeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on(
      "data",
      lineSplitter((line) => this.onReply(line)),
    );
    child.stderr.on(
      "data",
      lineSplitter((line) => {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
      }),
    );
    // A process that died cannot read: its error is the exit's, below.
    child.stdin.on("error", () => undefined);
    child.on("error", (error) =>
      this.fail(
        new ParityError("SuggestionProcessCrashed", `The suggestion process failed: ${error.message}.`),
      ),
    );
    child.on("exit", () => {
      this.exited = true;
    });
    // After "close" stderr has been read to its end: the crash says its last lines.
    child.on("close", (code, exitSignal) => this.fail(this.crashed(code, exitSignal)));
    signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  static async start(
    env: SuggestionEnv,
    signal?: AbortSignal,
    options: SuggestionProcessOptions = {},
  ): Promise<SuggestionProcess> {
    throwIfCancelled(signal);
    // -I: the user's PYTHONPATH and site-packages must not shadow the pinned libraries.
    const child = spawn(env.python, ["-I", env.script], {
      detached: true,
      stdio: "pipe",
      env: { ...process.env, ...ONE_THREAD },
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) =>
        reject(
          new ParityError(
            "SuggestionEnvBroken",
            `The suggestion process could not start: ${error.message}.`,
            {
              fix: `Delete ${path.dirname(env.script)} (Parity builds it again), then run the command again.`,
              cause: error,
            },
          ),
        ),
      );
    });
    return new SuggestionProcess(child, env, options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS, signal);
  }

  /** The process's id (and its group's). */
  get pid(): number {
    return this.child.pid!;
  }

  /** Katib's GetSuggestions: up to `count` new assignments, from every trial so far. */
  async suggest(request: SuggestionRequest): Promise<SuggestionReply> {
    const reply = await this.ask({ kind: "suggest", ...request });
    const notes = (reply.notes as string[] | undefined) ?? [];
    return {
      assignments: reply.assignments as SuggestionReply["assignments"],
      ...(notes.length > 0 && { notes }),
    };
  }

  /** Katib's ValidateAlgorithmSettings: what the algorithm refuses (Katib says one problem at a time). */
  async validate(
    algorithm: AlgorithmSpec,
    parameters: SearchParameter[],
    maxTrialCount?: number,
  ): Promise<ValidationProblem[]> {
    const request: ValidationRequest = {
      algorithm,
      parameters,
      ...(maxTrialCount !== undefined && { maxTrialCount }),
    };
    const reply = await this.ask({ kind: "validate", ...request });
    return reply.valid ? [] : (reply.errors as ValidationProblem[]);
  }

  /** Stops the process (its group, by its pid) unless it has exited; a request waiting is cancelled. */
  dispose(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
    this.fail(new CancelledError("The suggestion process was stopped."));
  }

  private ask(message: Record<string, unknown>): Promise<Reply> {
    const turn = this.queue.then(() => this.exchange(message));
    this.queue = turn.catch(() => undefined);
    return turn.then((reply) => {
      const error = reply.error as ValidationProblem | undefined;
      if (!error) return reply;
      const field = error.setting
        ? `algorithm.algorithmSettings.${error.setting}`
        : error.parameter && `parameters.${error.parameter}`;
      throw new ParityError("SuggestionFailed", error.message, {
        fix: error.fix,
        ...(field && { location: { field } }),
      });
    });
  }

  private exchange(message: Record<string, unknown>): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(this.timedOut()), this.replyTimeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.pending = undefined;
      };
      this.pending = {
        id,
        resolve: (reply) => {
          settle();
          resolve(reply);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      this.child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  }

  private onReply(line: string): void {
    let reply: Reply | undefined;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      reply = undefined;
    }
    if (reply && this.pending && reply.id === this.pending.id) {
      this.pending.resolve(reply);
      return;
    }
    this.fail(
      new ParityError(
        "SuggestionProtocol",
        `The suggestion process said what was not asked: ${line.slice(0, 200)}`,
        {
          fix: `Delete ${this.envDir()} (Parity builds it again), then run the command again.`,
        },
      ),
    );
  }

  /** The first failure stays: every later request is refused with it, and the process is stopped. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.pending?.reject(error);
    if (this.exited) return;
    this.kill("SIGTERM");
    const hard = setTimeout(() => this.kill("SIGKILL"), KILL_GRACE_MS);
    hard.unref();
    this.child.once("exit", () => clearTimeout(hard));
  }

  private kill(signal: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private crashed(code: number | null, signal: NodeJS.Signals | null): ParityError {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const said = this.stderrTail.length > 0 ? `:\n${this.stderrTail.join("\n")}` : ".";
    return new ParityError("SuggestionProcessCrashed", `The suggestion process ${how}${said}`, {
      fix: `Run the command again; if it fails the same way, delete ${this.envDir()} so that Parity builds it again.`,
    });
  }

  private timedOut(): ParityError {
    const seconds = Math.round(this.replyTimeoutMs / 1000);
    return new ParityError(
      "SuggestionTimeout",
      `The suggestion process gave no reply in ${seconds} s and was stopped.`,
      {
        fix: "Run the command again; with hundreds of trials, bayesianoptimization is slow: try tpe.",
      },
    );
  }

  private envDir(): string {
    return path.dirname(this.env.script);
  }
}
