import type { SessionContext } from "../app/context";

/** What a CLI command writes to; tests pass their own. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Whether stdout is a terminal (progress lines may be redrawn). */
  isTTY: boolean;
  /** Whether stderr is a terminal (absent: taken as not one). */
  errIsTTY?: boolean;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Asks a question on the terminal and resolves to the line typed (undefined when none was:
   * Ctrl-C, end of input). Absent when stdin or stderr is not a terminal: scripts pass flags.
   */
  ask?(question: string): Promise<string | undefined>;
}

export type CliCommand = (args: string[], io: CliIO) => Promise<number>;

/**
 * The context a stop reaches its target with. Not io.signal: Ctrl-C while `parity run` follows a
 * run aborts that, and the stop it asks for must still reach the cluster.
 */
export function sessionOf(io: CliIO): () => SessionContext {
  return () => ({ env: io.env, cwd: io.cwd, signal: AbortSignal.timeout(30_000) });
}
