import * as vscode from "vscode";
import { isCancelled } from "../core/errors";
import type { ReportData } from "../panels/types";
import type { Services } from "./container";
import { checkScope } from "./trust";

/**
 * A notebook's parity report through the same flow as `parity check`, kept in the report store
 * for the Environment view, the status bar and the report panel. In Restricted Mode nothing of the
 * workspace runs: the report compares the profile and requirements only.
 */
export async function computeReport(
  services: Services,
  notebookFile: string,
  signal: AbortSignal,
  print: (line: string) => void = (line) => services.log(line),
): Promise<ReportData> {
  const previous = services.reports.get(notebookFile);
  services.reports.checking(notebookFile);
  try {
    const heavy = await services.heavy();
    const scope = checkScope(vscode.workspace.isTrusted);
    if (scope.note) print(scope.note);
    const result = await heavy.checkParity(services.sessionContext(notebookFile, signal), notebookFile, {
      python: services.python(),
      useDocker: scope.useDocker,
      probeLocal: scope.probeLocal,
      print,
    });
    const data: ReportData = {
      notebookFile: result.job.notebookFile,
      profileFile: result.job.profile.file,
      imageTag: result.builtImage,
      report: result.report,
      local: result.local,
      image: result.image,
    };
    services.reports.checked(data);
    return data;
  } catch (error) {
    if (isCancelled(error)) services.reports.restore(notebookFile, previous);
    else services.reports.failed(notebookFile, error instanceof Error ? error.message : String(error));
    throw error;
  }
}
