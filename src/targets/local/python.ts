import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseProbeOutput } from "../../core/environment/parseProbeOutput";
import probeSource from "../../core/environment/probe.py";
import type { Environment } from "../../core/environment/types";
import { CancelledError, ParityError, throwIfCancelled } from "../../core/errors";

export interface CaptureLocalOptions {
  /** An explicit interpreter; wins over everything else. */
  python?: string;
  /** The workspace folder: its `.venv` interpreter is used when PARITY_PYTHON is not set. */
  workspaceFolder?: string;
  signal?: AbortSignal;
  /** Default 60 s: importing torch or tensorflow for their build info can take a while. */
  timeoutMs?: number;
  /** Defaults to process.env; read for PARITY_PYTHON and passed to the interpreter. */
  env?: NodeJS.ProcessEnv;
}

export interface ChosenInterpreter {
  python: string;
  /** Why this one: "explicit", "PARITY_PYTHON", "workspace .venv", "default". */
  reason: string;
}

const PROBE_TOO_OLD_EXIT = 3;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** The interpreter to probe: explicit path, else PARITY_PYTHON, else the workspace's .venv, else python3. */
export function chooseInterpreter(options: CaptureLocalOptions = {}): ChosenInterpreter {
  const env = options.env ?? process.env;
  if (options.python) return { python: options.python, reason: "explicit" };
  if (env.PARITY_PYTHON) return { python: env.PARITY_PYTHON, reason: "PARITY_PYTHON" };
  if (options.workspaceFolder) {
    const venv =
      process.platform === "win32"
        ? path.join(options.workspaceFolder, ".venv", "Scripts", "python.exe")
        : path.join(options.workspaceFolder, ".venv", "bin", "python");
    if (existsSync(venv)) return { python: venv, reason: "workspace .venv" };
  }
  return { python: process.platform === "win32" ? "python" : "python3", reason: "default" };
}

/** Runs the environment probe with the notebook's interpreter and returns what it found. */
export async function captureLocalEnvironment(options: CaptureLocalOptions = {}): Promise<Environment> {
  throwIfCancelled(options.signal);
  const { python, reason } = chooseInterpreter(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      python,
      ["-c", probeSource],
      {
        timeout: timeoutMs,
        maxBuffer: MAX_OUTPUT_BYTES,
        signal: options.signal,
        windowsHide: true,
        env: { ...(options.env ?? process.env), PYTHONIOENCODING: "utf-8", PYTHONDONTWRITEBYTECODE: "1" },
      },
      (error, out, err) => {
        if (error) reject(probeFailure(error, python, reason, timeoutMs, err, options.signal));
        else resolve(out);
      },
    );
  });
  return parseProbeOutput(stdout, `local ${python}`);
}

type ExecError = Error & { code?: string | number | null; killed?: boolean; signal?: NodeJS.Signals | null };

function probeFailure(
  error: ExecError,
  python: string,
  reason: string,
  timeoutMs: number,
  stderr: string,
  signal: AbortSignal | undefined,
): Error {
  if (signal?.aborted || error.name === "AbortError") return new CancelledError();
  const chosenBy = reason === "default" ? "" : ` (chosen by ${reason})`;
  const fix =
    "Set PARITY_PYTHON to your notebook's interpreter (for example /path/to/.venv/bin/python), or select the notebook kernel's interpreter.";
  if (error.code === "ENOENT") {
    return new ParityError("PythonNotFound", `Python interpreter ${python}${chosenBy} not found.`, {
      fix,
      cause: error,
    });
  }
  if (error.code === "EACCES") {
    return new ParityError(
      "PythonNotExecutable",
      `Python interpreter ${python}${chosenBy} is not executable.`,
      {
        fix: `Check its permissions (chmod +x ${python}) or point PARITY_PYTHON at another interpreter.`,
        cause: error,
      },
    );
  }
  if (error.killed && error.signal) {
    return new ParityError(
      "ProbeTimeout",
      `Probing ${python} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped.`,
      {
        fix: "Importing a framework (torch, tensorflow) may hang: try `python -c 'import torch'` in that environment.",
        cause: error,
      },
    );
  }
  if (error.code === PROBE_TOO_OLD_EXIT) {
    return new ParityError(
      "PythonTooOld",
      `${python}${chosenBy}: ${stderr.trim().replace(/^parity-probe: /, "")}.`,
      {
        fix: "Use a Python 3.8+ interpreter for the notebook, or set PARITY_PYTHON to one.",
        cause: error,
      },
    );
  }
  const tail = stderr.trim().split(/\r?\n/).slice(-5).join("\n") || error.message;
  return new ParityError("ProbeFailed", `The environment probe failed in ${python}${chosenBy}: ${tail}`, {
    fix,
    cause: error,
  });
}
