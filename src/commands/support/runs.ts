import path from "node:path";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import type { RunRef } from "../../panels/types";
import type { Services } from "../../services/container";
import { recordedRuns, workspaceOfRunDir } from "../../services/runRecords";
import { isRunNode } from "../../views/runs/runNode";

export interface RecordedRun {
  ref: RunRef;
  result: RunResult;
  dir: string;
}

/** The clicked run, else the newest run of the active notebook, else the newest run at all. */
export async function runFor(services: Services, arg: unknown, action: string): Promise<RecordedRun> {
  if (isRunNode(arg) && arg.dir) {
    const stored = (await recordedRuns()).find((run) => run.dir === arg.dir);
    const result = stored?.result ?? (arg.summary as RunResult);
    return { ref: { workspaceDir: workspaceOfRunDir(arg.dir), runId: result.runId }, result, dir: arg.dir };
  }
  if (isRunNode(arg)) {
    throw new ParityError(
      "RunNotStarted",
      `The run of ${path.basename(arg.notebookFile)} has not started yet, so there is nothing to ${action}.`,
      {
        fix: "Wait until its image is built and the run appears as Running.",
      },
    );
  }
  const runs = await recordedRuns();
  const active = services.activeNotebook.file;
  const run = runs.find((candidate) => candidate.result.notebook === active) ?? runs[0];
  if (!run) {
    throw new ParityError("NoRuns", `There is no run to ${action} in this workspace yet.`, {
      fix: "Run a notebook first: Parity: Run Locally with Production Limits.",
    });
  }
  return {
    ref: { workspaceDir: workspaceOfRunDir(run.dir), runId: run.result.runId },
    result: run.result,
    dir: run.dir,
  };
}
