import { buildNotebook } from "../../app/job/session";
import { jobOptions, parseCommand } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity build <notebook> [options]

Builds production's image with the notebook's code: the profile's base image, its requirements
(and the notebook's %pip lines) in a dependency layer, the notebook as a script in a code layer.
The tag is a hash of the content, so an unchanged notebook is not built twice.

Options:
  --profile <file>   parity.yaml to use (default: the nearest one above the notebook)
  --json             Print the result as JSON
  -v, --verbose      Show the build's full output
  -h, --help         Show this help`;

export const buildCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(args, io, USAGE, jobOptions, { min: 1, max: 1 });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;

  const print = values.json ? io.err : io.out;
  const { job, built: result } = await buildNotebook(io, positionals[0]!, {
    profile: values.profile,
    verbose: values.verbose,
    print,
  });
  if (values.json) io.out(JSON.stringify({ notebook: job.notebookFile, ...result }));
  return 0;
};
