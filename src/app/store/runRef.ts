import path from "node:path";
import type { RunRef } from "../panels/types";
import { isInside } from "./editScope";

/**
 * The RunRef of a run's folder, `<workspaceDir>/.parity/runs/<runId>`, read from the path itself:
 * never from run.json, whose runId a crafted record could point anywhere. Undefined when the folder
 * is not such a folder or its workspace is not inside one of `workspaceFolders`.
 */
export function runRefOfDir(dir: string, workspaceFolders: readonly string[]): RunRef | undefined {
  const runId = path.basename(dir);
  if (runId === "" || runId === "." || runId === ".." || !/^[\w.-]+$/.test(runId)) return undefined;
  const runsDir = path.dirname(path.resolve(dir));
  const parityDir = path.dirname(runsDir);
  if (path.basename(runsDir) !== "runs" || path.basename(parityDir) !== ".parity") return undefined;
  const workspaceDir = path.dirname(parityDir);
  const inside = workspaceFolders.some((folder) => isInside(workspaceDir, path.resolve(folder)));
  return inside ? { workspaceDir, runId } : undefined;
}
