/** What a CLI command writes to; tests pass their own. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Whether stdout is a terminal (progress lines may be redrawn). */
  isTTY: boolean;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export type CliCommand = (args: string[], io: CliIO) => Promise<number>;
