import { findRun, readRunLogs } from "../../targets/store/runStore";
import { parseCommand } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity logs [run] [options]

Prints the logs of a run recorded in .parity/runs of this folder or of a project below it: the
newest when no run is named, else the run whose id starts with <run>. Lines the job wrote to
stderr go to stderr.

Options:
  --workspace <dir>  The folder holding .parity (default: the current folder)
  --json             One JSON object a line: {stream, text, time}
  -h, --help         Show this help`;

export const logsCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    { workspace: { type: "string" }, json: { type: "boolean" } },
    { min: 0, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;

  const run = await findRun(values.workspace ?? io.cwd, positionals[0]);
  for (const line of await readRunLogs(run)) {
    if (values.json) io.out(JSON.stringify(line));
    else (line.stream === "stderr" ? io.err : io.out)(line.text);
  }
  return 0;
};
