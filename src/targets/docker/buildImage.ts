import type Dockerode from "dockerode";
import { CancelledError, ParityError } from "../../core/errors";
import type { BuildPlan, ContextFile } from "../../core/build/context";
import { plainText } from "../../core/presentation/terminalText";
import { inspectImage } from "./images";

export interface BuildProgress {
  /** A line of the build's own output ("Step 3/12 : RUN ...", pip's lines). */
  line: string;
  /** "Step n/m" when the line starts a step. */
  step?: { index: number; total: number };
}

export interface BuildOptions {
  docker: Dockerode;
  plan: BuildPlan;
  labels?: Record<string, string>;
  /** Docker network for RUN steps ("bridge", "host"); the engine's default when absent. */
  network?: string;
  signal?: AbortSignal;
  onProgress?: (progress: BuildProgress) => void;
  /** Build every step afresh, ignoring the engine's layer cache (benchmarks, a suspect cache). */
  noCache?: boolean;
}

export interface BuildStep {
  index: number;
  /** The Dockerfile instruction, e.g. "RUN python3 -m venv ...". */
  instruction: string;
  cached: boolean;
}

export interface BuildResult {
  tag: string;
  imageId: string;
  /** True when an image with this content tag already existed and nothing was built. */
  upToDate: boolean;
  /** How many steps the engine took from its cache. */
  cachedSteps: number;
  totalSteps: number;
  /** Each step the engine ran, in order (empty when the image was up to date). */
  steps: BuildStep[];
  durationMs: number;
}

interface BuildMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
/** Lines of output kept to explain a failed step. */
const TAIL_LINES = 40;

export async function buildImage(options: BuildOptions): Promise<BuildResult> {
  const { docker, plan, signal } = options;
  const started = Date.now();
  const existing = options.noCache ? undefined : (await inspectImage(docker, plan.tag))?.Id;
  if (existing) {
    return {
      tag: plan.tag,
      imageId: existing,
      upToDate: true,
      cachedSteps: 0,
      totalSteps: 0,
      steps: [],
      durationMs: 0,
    };
  }
  if (signal?.aborted) throw new CancelledError();

  const context = await packContext(plan.files);
  const stream = await docker.buildImage(context, {
    t: plan.tag,
    labels: options.labels,
    networkmode: options.network,
    rm: true,
    forcerm: true,
    nocache: options.noCache,
    abortSignal: signal,
  } as Dockerode.ImageBuildOptions);

  const tail: string[] = [];
  const steps: BuildStep[] = [];
  let totalSteps = 0;
  let imageId = "";
  let failure: string | undefined;
  let pending = "";
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    const step = STEP.exec(line);
    if (step) {
      totalSteps = Number(step[2]);
      steps.push({ index: Number(step[1]), instruction: step[3] ?? "", cached: false });
    }
    const current = steps.at(-1);
    if (current && line.includes("---> Using cache")) current.cached = true;
    options.onProgress?.(
      step ? { line, step: { index: Number(step[1]), total: Number(step[2]) } } : { line },
    );
  };

  try {
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (message: BuildMessage) => {
          if (message.stream) {
            const lines = (pending + message.stream).split("\n");
            pending = lines.pop() ?? "";
            // The engine colours a RUN step's stderr (pip's errors among it) with terminal escapes.
            for (const line of lines) if (line.trim()) onLine(plainText(line).trimEnd());
          }
          if (message.aux?.ID) imageId = message.aux.ID;
          if (message.error || message.errorDetail) failure = message.errorDetail?.message ?? message.error;
        },
      );
    });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError("The image build was cancelled.");
    throw new ParityError("BuildFailed", `The image build stopped: ${(error as Error).message}`, {
      fix: "Check that the Docker engine is still running, then build again.",
      cause: error,
    });
  }
  if (pending.trim()) onLine(plainText(pending).trimEnd());
  if (signal?.aborted) throw new CancelledError("The image build was cancelled.");
  if (failure !== undefined) throw explainBuildFailure(failure, tail);

  const finalId = (await inspectImage(docker, plan.tag))?.Id ?? imageId;
  return {
    tag: plan.tag,
    imageId: finalId,
    upToDate: false,
    cachedSteps: steps.filter((step) => step.cached).length,
    totalSteps,
    steps,
    durationMs: Date.now() - started,
  };
}

/** A build failure in the user's words: the failing step and pip's (or apt's) own message. */
export function explainBuildFailure(failure: string, tail: string[]): ParityError {
  const lines = tail.map(plainText);
  const lastStep = [...lines].reverse().find((line) => STEP.test(line)) ?? "";
  const pipErrors = pipErrorLines(lines);
  const detail = pipErrors.length > 0 ? pipErrors.join("\n") : lines.slice(-10).join("\n");
  if (
    / : FROM /.test(lastStep) ||
    /pull access denied|manifest unknown|repository does not exist/i.test(failure)
  ) {
    return new ParityError(
      "BaseImageUnavailable",
      `The base image could not be found or pulled: ${failure.trim()}`,
      {
        location: { field: "image.base" },
        fix: "Load it into the local engine (docker load), or make one from Debian packages with `parity base-image` and set image.base: parity/python:3.11-bookworm.",
      },
    );
  }
  if (failure.includes("pip install") || pipErrors.length > 0) {
    const output = lines.join("\n");
    const tls = /CERTIFICATE_VERIFY_FAILED|SSLError|certificate verify failed/i.test(output);
    const vcs = /Cannot find command '(git|hg|svn|bzr)'/.exec(output)?.[1];
    if (/externally-managed-environment/.test(output)) {
      return new ParityError(
        "PythonExternallyManaged",
        "pip refused to install into the image's Python: the operating system manages it (PEP 668, externally-managed-environment).",
        {
          fix: "Use an image whose Python pip may install into (python:3.x, or one with a virtual environment first on its PATH).",
        },
      );
    }
    return new ParityError("DependencyInstallFailed", `Installing the requirements failed:\n${detail}`, {
      location: { field: "image.requirements" },
      fix: tls
        ? "pip could not verify the package index's TLS certificate (a TLS-intercepting proxy?): set build.caCertificates: system in parity.yaml, or list your proxy's CA files there."
        : vcs
          ? `The base image has no ${vcs}, which pip needs for a ${vcs}+ requirement: add ${vcs} to image.systemPackages in parity.yaml, or install the package from a wheel.`
          : "Check the package names and versions in your requirements (and the notebook's %pip lines), then build again.",
    });
  }
  return new ParityError("BuildFailed", `The image build failed: ${failure.trim()}\n${detail}`, {
    fix: "Read the build output above; fix the base image or system packages in parity.yaml, then build again.",
  });
}

/**
 * pip's own error lines. When pip fails with "ERROR: Exception:" (an invalid marker, in older
 * pips), its real message is the last line of the traceback that follows, which pip prints
 * without -v; that line stands in for the bare "ERROR: Exception:".
 */
function pipErrorLines(lines: string[]): string[] {
  const errors = lines.filter((line) => /^\s*ERROR:/.test(line)).map((line) => line.trim());
  const traceback = lines.map((line) => line.startsWith("Traceback (")).lastIndexOf(true);
  const raised =
    traceback < 0
      ? undefined
      : lines
          .slice(traceback)
          .reverse()
          .find((line) => /^[A-Za-z_][\w.]*: \S/.test(line));
  // A resolver conflict's cause: which package asked for what, the one line that says what to change.
  const cause = lines.findIndex((line) => /The conflict is caused by:/.test(line));
  if (cause >= 0) {
    const end = lines.findIndex((line, index) => index > cause && /To fix this|^\s*$/.test(line));
    errors.push(...lines.slice(cause + 1, end < 0 ? cause + 8 : end).map((line) => line.trim()));
  }
  if (!raised) return errors;
  const exception = raised.replace(/^(?:\w+\.)+(?=\w+: )/, "");
  return [...errors.filter((line) => line !== "ERROR: Exception:"), exception];
}

/** The build context as a tar stream, made in memory from the plan's files. */
async function packContext(files: ContextFile[]): Promise<NodeJS.ReadableStream> {
  const tar = await import("tar-stream");
  const pack = tar.pack();
  for (const file of files) {
    const content = typeof file.content === "string" ? Buffer.from(file.content) : Buffer.from(file.content);
    pack.entry({ name: file.path, mode: file.mode ?? 0o644, mtime: new Date(0) }, content);
  }
  pack.finalize();
  // tar-stream's pack is a streamx Readable: it pipes like a Node stream, which is all dockerode needs.
  return pack as unknown as NodeJS.ReadableStream;
}
