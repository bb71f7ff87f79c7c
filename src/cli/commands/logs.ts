import { followerGone } from "../../app/store/follower";
import { findRun, readRunLogs, type StoredRun } from "../../app/store/runStore";
import { targetNamed } from "../../app/targets";
import { isCancelled, ParityError } from "../../core/errors";
import type { LogLine } from "../../core/job/types";
import { colouredText, plainText } from "../../core/presentation/terminalText";
import { isFinished } from "../../core/workload/status";
import { parseCommand } from "../args";
import type { CliCommand, CliIO } from "../io";
import { followRun } from "./followLogs";

const USAGE = `Usage: parity logs [run] [options]

Prints the logs of a run recorded in .parity/runs of this folder or of a project below it: the
newest when no run is named, else the run whose id starts with <run>. Lines the job wrote to
stderr go to stderr. A terminal gets their colours (unless NO_COLOR is set), a pipe or a file
plain text, each of stdout and stderr as it is; other escape sequences (window titles, cursor
moves) are left out.

Options:
  --follow           For a run still going: keep printing its new lines until it ends. A
                     cluster run no Parity process follows any more (its window was reloaded,
                     its parity run was killed) is followed by this one, which brings its
                     record to the end; a workload deleted meanwhile ends it cancelled. Ctrl-C
                     stops following and leaves the run going. Other runs are printed as
                     recorded. (Without --follow, such a run is looked at once: a local run's
                     container gives its end; a cluster run's ended workload completes it.)
  --workspace <dir>  The folder holding .parity (default: the current folder)
  --json             One JSON object a line: {stream, text, time}
  -h, --help         Show this help`;

export const logsCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    { workspace: { type: "string" }, json: { type: "boolean" }, follow: { type: "boolean" } },
    { min: 0, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;

  const found = await findRun(values.workspace ?? io.cwd, positionals[0]);
  const run = await settledFirst(io, found);
  // A terminal gets the colours (unless NO_COLOR asks for none); a pipe or a file plain text:
  // stdout and stderr each by what it is. Titles, cursor moves and other escape sequences are
  // left out of both; --json keeps the line as recorded.
  const textFor = (terminal: boolean | undefined) =>
    terminal && !io.env.NO_COLOR ? colouredText : plainText;
  const outText = textFor(io.isTTY);
  const errText = textFor(io.errIsTTY);
  const print = (line: LogLine): void => {
    if (values.json) io.out(JSON.stringify(line));
    else if (line.stream === "stderr") io.err(errText(line.text));
    else io.out(outText(line.text));
  };
  const recorded = await readRunLogs(run);
  recorded.forEach(print);
  if (!isFinished(run.result.status) && !values.follow && (await followerGone(run.dir)) && !values.json) {
    io.err(
      `Run ${run.result.runId} is recorded ${run.result.status}, but no Parity process follows it: parity logs ${run.result.runId} --follow picks it up.`,
    );
  }
  if (!values.follow || isFinished(run.result.status)) return 0;
  const result = await followRun(io, run, recorded.length, print);
  if (!values.json) {
    io.err(
      isFinished(result.status)
        ? `Run ${result.runId} ended ${result.status}.`
        : `Stopped following ${result.runId}; it goes on.`,
    );
  }
  return 0;
};

/**
 * A run whose follower went away is made true before its logs are printed: settled at once where
 * its target allows (a local container; also outside the folders the start-up looked at), or one
 * look at a cluster workload that may have ended meanwhile.
 */
export async function settledFirst(io: CliIO, run: StoredRun): Promise<StoredRun> {
  if (isFinished(run.result.status) || !(await followerGone(run.dir))) return run;
  try {
    const result = await targetNamed(run.result.target).reconcile(io, run);
    return { dir: run.dir, result };
  } catch (error) {
    if (isCancelled(error)) throw error;
    if (!(error instanceof ParityError && error.code === "RunFollowedElsewhere"))
      io.err(
        `parity: how run ${run.result.runId} ended could not be asked: ${error instanceof Error ? error.message : String(error)}`,
      );
    return run;
  }
}
