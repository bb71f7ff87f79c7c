import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Target } from "../app/targets/target";
import type { CliIO } from "./io";

type Options = NonNullable<ParseArgsConfig["options"]>;
const HELP = { help: { type: "boolean", short: "h" } } as const;

/** Options every job command takes. */
export const jobOptions = {
  profile: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
} as const;

/** Options of commands that can target the cluster. */
export const targetOptions = {
  target: { type: "string", default: "local" },
  context: { type: "string" },
  namespace: { type: "string", short: "n" },
} as const;

export const TARGET_HELP = `  --target local|cluster  Where the job runs: local Docker (default) or the profile's cluster
  --context <name>        kubeconfig context (default: the profile's cluster.context, else the current one)
  -n, --namespace <name>  Namespace (default: the profile's cluster.namespace, else the context's)`;

/** The target named by --target, or the exit code after saying what is wrong. */
export async function targetOf(values: { target?: string }, io: CliIO, command: string): Promise<Target | 2> {
  // Loaded here, not at the top: "parity <command> --help" stays instant.
  const { TARGET_NAMES, targetNamed } = await import("../app/targets");
  const name = values.target ?? "local";
  if ((TARGET_NAMES as string[]).includes(name)) return targetNamed(name);
  io.err(
    `parity ${command}: unknown target "${name}"; use ${TARGET_NAMES.map((each) => `"${each}"`).join(" or ")}.`,
  );
  return 2;
}

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
