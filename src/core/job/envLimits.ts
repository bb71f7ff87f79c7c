import { formatBytes } from "../profile/quantity";

/** Linux's MAX_ARG_STRLEN: the most one "NAME=value" string (with its NUL) passed to a program may hold. */
export const MAX_ENV_VARIABLE_BYTES = 128 * 1024;
/**
 * Linux gives a program's arguments and environment 2 MiB together (a quarter of the usual 8 MiB
 * stack); half is left for the image's own variables and the command.
 */
export const MAX_ENV_TOTAL_BYTES = 1024 * 1024;

export interface EnvProblem {
  /** The variable at fault; undefined when only the whole is too large. */
  name?: string;
  message: string;
  fix: string;
}

const FIX =
  "Put the value in a file inside the project (mounted read-only at /workspace) and pass its path in the variable instead.";

/**
 * What of `env` cannot reach a job: the engine takes it, but the kernel refuses to start a program
 * with it ("argument list too long"), so it is refused before anything is built. `label` names a
 * variable for the user ("env.NAME").
 */
export function envProblems(env: Record<string, string>, label: (name: string) => string): EnvProblem[] {
  const problems: EnvProblem[] = [];
  let total = 0;
  for (const [name, value] of Object.entries(env)) {
    const bytes = Buffer.byteLength(`${name}=${value}`) + 1;
    total += bytes;
    if (bytes > MAX_ENV_VARIABLE_BYTES) {
      problems.push({
        name,
        message: `${label(name)} is ${formatBytes(bytes)}; Linux passes at most ${formatBytes(MAX_ENV_VARIABLE_BYTES)} a variable to a program, so the job could not start.`,
        fix: FIX,
      });
    }
  }
  if (problems.length === 0 && total > MAX_ENV_TOTAL_BYTES) {
    problems.push({
      message: `The job's environment is ${formatBytes(total)} in all; Parity passes at most ${formatBytes(MAX_ENV_TOTAL_BYTES)}, half of what Linux allows a program's arguments and environment together.`,
      fix: `Put the largest values in files inside the project (mounted read-only at /workspace) and pass their paths instead.`,
    });
  }
  return problems;
}
