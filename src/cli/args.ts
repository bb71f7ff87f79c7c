import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CliIO } from "./io";

type Options = NonNullable<ParseArgsConfig["options"]>;
const HELP = { help: { type: "boolean", short: "h" } } as const;

/** Options every job command takes. */
export const jobOptions = {
  profile: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
} as const;

/**
 * A command's arguments, strictly parsed, with -h/--help and a positional count check. Returns
 * the exit code instead when the command should stop: 0 after printing help to stdout, 2 after
 * printing the usage to stderr for a wrong number of positionals.
 */
export function parseCommand<O extends Options>(
  args: string[],
  io: CliIO,
  usage: string,
  options: O,
  positionals: { min: number; max: number },
) {
  const parsed = parseArgs({ args, strict: true, allowPositionals: true, options: { ...options, ...HELP } });
  if ((parsed.values as { help?: boolean }).help) {
    io.out(usage);
    return 0;
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    io.err(usage);
    return 2;
  }
  return parsed;
}
