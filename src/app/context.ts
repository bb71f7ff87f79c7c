import path from "node:path";

/**
 * What every workflow of the application layer runs with, whoever calls it: the CLI passes the
 * process's, the extension a notebook's workspace folder and the user's Docker setting.
 */
export interface SessionContext {
  env: NodeJS.ProcessEnv;
  /** Where relative paths start, and where the search for parity.yaml stops. */
  cwd: string;
  signal: AbortSignal;
}

/** Where a workflow says what it does: the CLI prints to the terminal, the extension to progress and its output channel. */
export type Print = (line: string) => void;

/** A path as a person reads it: relative below the current folder, whole elsewhere. */
export function relativeTo(context: Pick<SessionContext, "cwd">, file: string): string {
  const relative = path.relative(context.cwd, file);
  return relative && !relative.startsWith("..") ? relative : file;
}
