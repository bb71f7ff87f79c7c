import { parseArgs } from "node:util";
import { findRun, readRunLogs } from "../../targets/store/runStore";
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
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      workspace: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length > 1) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const run = await findRun(values.workspace ?? io.cwd, positionals[0]);
  for (const line of await readRunLogs(run)) {
    if (values.json) io.out(JSON.stringify(line));
    else (line.stream === "stderr" ? io.err : io.out)(line.text);
  }
  return 0;
};
