import { formatReport } from "../../core/parity";
import { checkParity } from "../../targets/session";
import { jobOptions, parseCommand } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity check <notebook> [options]

Compares the notebook's environment (its interpreter) with production's: the profile's image,
requirements and limits. When the production image for this exact code is already built, it is
probed too. Exits 1 when the report has errors.

Options:
  --profile <file>   parity.yaml to use (default: the nearest one above the notebook)
  --python <path>    The notebook's interpreter (default: PARITY_PYTHON, .venv, python3)
  --target local     Where the job would run (only local Docker so far)
  --json             Print the report as JSON
  -h, --help         Show this help`;

export const checkCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    { ...jobOptions, python: { type: "string" }, target: { type: "string", default: "local" } },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;

  if (values.target !== "local") {
    io.err(`parity check: the target "${values.target}" is not available yet; only "local" (Docker) so far.`);
    return 2;
  }
  const print = values.json ? io.err : io.out;
  const result = await checkParity(io, positionals[0]!, {
    profile: values.profile,
    python: values.python,
    print,
  });
  if (values.json)
    io.out(
      JSON.stringify({
        notebook: result.job.notebookFile,
        image: result.builtImage ?? null,
        ...result.report,
      }),
    );
  else io.out(`\n${formatReport(result.report)}`);
  return result.report.errors > 0 ? 1 : 0;
};
