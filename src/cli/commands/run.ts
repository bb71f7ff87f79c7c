import { fixLines } from "../../core/presentation/fix";
import { relativeTo } from "../../app/context";
import type { ParityResult } from "../../app/job/session";
import { runStop } from "../../app/targets/stop";
import type { StartedRun } from "../../app/targets/target";
import { describeError, isCancelled, ParityError } from "../../core/errors";
import { formatReport } from "../../core/parity";
import { describeMemory } from "../../core/job/peakMemory";
import type { RunResult } from "../../core/job/types";
import { unreachableWords } from "../../core/presentation/runStatus";
import { jobOptions, parseCommand, TARGET_HELP, targetOf, targetOptions } from "../args";
import { sessionOf, type CliCommand, type CliIO } from "../io";

const USAGE = `Usage: parity run <notebook> [options]

Runs the notebook in production's image with production's limits (memory with no swap, CPU,
shared memory, GPUs) on local Docker: builds the image when needed, prints the parity report,
streams the logs, and explains how the run ended. The exit code is the job's.

With --target cluster the same image and limits go to the cluster: permissions and the preflight
are checked first, the image is pushed to the profile's image.registry (skipped when already
there or when the cluster shares the local engine), a Job (or a PyTorchJob/TFJob for
cluster.distributed) is submitted, its pods' logs are followed and its events explained.

Options:
${TARGET_HELP}
  -p, --param name=value  Override a parameter of the notebook's "parameters" cell (repeatable)
  --profile <file>        parity.yaml to use (default: the nearest one above the notebook)
  --python <path>         The notebook's interpreter, for the parity report
  --no-report             Skip the parity report
  --json                  Logs and progress to stderr; the last line of stdout is the result as JSON
  -v, --verbose           Show the build's (and the push's) full output
  -h, --help              Show this help`;

export const runCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    {
      ...jobOptions,
      ...targetOptions,
      param: { type: "string", short: "p", multiple: true, default: [] },
      python: { type: "string" },
      "no-report": { type: "boolean" },
    },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const target = await targetOf(values, io, "run");
  if (typeof target === "number") return target;
  const print = values.json ? io.err : io.out;
  let image: string | undefined;
  let started: StartedRun;
  try {
    started = await target.start(io, {
      notebook: positionals[0]!,
      profile: values.profile,
      verbose: values.verbose,
      params: values.param,
      python: values.python,
      noReport: values["no-report"],
      placement: { context: values.context, namespace: values.namespace },
      print,
      onImage: (tag: string) => (image = tag),
      onReport: (parity: ParityResult) => print(`\nParity report\n${formatReport(parity.report)}\n`),
    });
  } catch (error) {
    // The --json contract holds for failures before the run too: the last line is the result.
    if (values.json) io.out(JSON.stringify(resultBeforeRun(error, positionals[0]!, image, target.name)));
    throw error;
  }
  const { handle } = started;
  print(`Running ${handle.runId} ${started.where} ...`);
  let leftRunning: string | undefined;
  const onAbort = (): void => {
    void stopOnInterrupt(io, started).then((left) => (leftRunning = left));
  };
  io.signal.addEventListener("abort", onAbort, { once: true });
  handle.onUnreachable?.((since) =>
    io.err(
      since
        ? `parity: ${unreachableWords(since)}; Parity keeps trying.`
        : "parity: Parity reaches the run's cluster again.",
    ),
  );
  handle.onLog((line) => {
    const prefix = line.source ? `${line.source} │ ` : "";
    (values.json || line.stream === "stderr" ? io.err : io.out)(`  │ ${prefix}${line.text}`);
  });
  const result = await handle.result.finally(() => io.signal.removeEventListener("abort", onAbort));

  printResult(io, print, result);
  if (leftRunning) io.err(leftRunning);
  if (values.json) io.out(JSON.stringify(result));
  if (result.status === "cancelled" || leftRunning) return 130;
  return result.status === "succeeded" ? 0 : (result.exitCode ?? 1) || 1;
};

/**
 * Ctrl-C stops the run the one way every front end does (runStop): at once where nothing needs
 * confirming or a yes is enough (Ctrl-C is the yes: the container is stopped, the workload
 * deleted). Where its name would have to be typed (a protected namespace) it is left running and
 * this process only stops following: the record stays live, for parity logs --follow to pick up.
 * Returns what to say then: the command that deletes it.
 */
async function stopOnInterrupt(io: CliIO, started: StartedRun): Promise<string | undefined> {
  const { handle, job } = started;
  const runId = handle.runId;
  try {
    const stop = await runStop(sessionOf(io), { workspaceDir: job.workspaceDir, runId }, handle);
    const name = stop.needed?.typeToConfirm;
    if (name === undefined) {
      io.err(`parity: cancelling the run: Parity ${started.cancelEffect}...`);
      await stop.stop();
      return undefined;
    }
    handle.detach?.();
    return `parity: ${stop.needed?.why}, so ${stop.needed?.what} goes on; Parity stopped following it (parity logs ${runId} --follow follows it again). To delete it, type:\n  parity delete ${runId} --confirm ${name}`;
  } catch (error) {
    const why = error instanceof ParityError ? describeError(error) : String(error);
    if (!handle.detach) {
      io.err(`parity: ${why}; cancelling the run: Parity ${started.cancelEffect}...`);
      handle.cancel();
      return undefined;
    }
    // Whether it may be deleted is not known: it is left as it is.
    handle.detach();
    return `parity: ${why}\nThe run goes on; Parity stopped following it. parity delete ${runId} deletes it.`;
  }
}

/** The result object for a run that never started: why, in the same shape as any run's. */
function resultBeforeRun(error: unknown, notebook: string, image: string | undefined, target: string) {
  const cancelled = isCancelled(error);
  const parity = error instanceof ParityError ? error : undefined;
  return {
    runId: null,
    target,
    status: cancelled ? "cancelled" : "failed",
    exitCode: null,
    oomKilled: false,
    image: image ?? null,
    notebook,
    diagnosis: [
      {
        code: cancelled ? "Cancelled" : (parity?.code ?? "UnexpectedFailure"),
        severity: cancelled ? "info" : "error",
        message: parity ? describeError(parity).split("\n  Fix: ")[0] : (error as Error).message,
        fix: parity?.fix ?? (cancelled ? "Run it again when ready." : "See the message above."),
        ...(parity?.location?.file
          ? { location: { file: parity.location.file, line: parity.location.line } }
          : {}),
      },
    ],
  };
}

function printResult(io: CliIO, print: (line: string) => void, result: RunResult): void {
  const seconds = result.durationMs !== undefined ? ` in ${(result.durationMs / 1000).toFixed(1)} s` : "";
  const exit = result.exitCode === null ? "" : ` (exit ${result.exitCode})`;
  print(`\nResult: ${result.status}${exit}${seconds}`);
  print(`Memory: ${describeMemory(result)}`);
  for (const item of result.diagnosis) {
    const mark = item.severity === "error" ? "✗" : item.severity === "warning" ? "!" : "·";
    print(`${mark} ${item.message}`);
    if (item.location?.source) print(`    ${item.location.source.trim()}`);
    fixLines(item).forEach((line) => print(line));
  }
  if (result.status === "succeeded" && result.outputsDir)
    print(`Outputs: ${relativeTo(io, result.outputsDir)}`);
  print(`Logs: parity logs ${result.runId}`);
}
