import { readFile } from "node:fs/promises";
import path from "node:path";
import { readRunLogs } from "../../../src/app/store";
import type { RunResult } from "../../../src/core/job/types";
import type { CliRun } from "./workspace";

/** A step in the last line of `parity pipeline run --json`. */
export interface StepJson {
  name: string;
  status: string;
  runId: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  cached: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
}

/** The last line of `parity pipeline run --json`. */
export interface PipelineJson {
  runId: string;
  status: string;
  steps: StepJson[];
  durationMs: number;
}

/** Everything a CLI run printed, stdout then stderr: for messages and failure output. */
export const said = (run: CliRun) => [...run.out, ...run.err].join("\n");

export const stepOf = (run: PipelineJson, name: string) => run.steps.find((each) => each.name === name)!;

/** A run's record in a workspace, read from disk. */
export const recordIn = async (workspaceDir: string, runId: string) =>
  JSON.parse(
    await readFile(path.join(workspaceDir, ".parity", "runs", runId, "run.json"), "utf8"),
  ) as RunResult;

/** A run's log lines in a workspace, in their order. */
export const logLinesIn = async (workspaceDir: string, runId: string) =>
  (await readRunLogs({ dir: path.join(workspaceDir, ".parity", "runs", runId) })).map((line) => line.text);
