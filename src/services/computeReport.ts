import * as vscode from "vscode";
import { isCancelled } from "../core/errors";
import type { FlightControl } from "./checkFlights";
import type { Services } from "./container";
import type { ReportData } from "./reportStore";
import { userMessage } from "./messages";
import { checkScope } from "./trust";

/**
 * A notebook's parity report through the same flow as `parity check`, kept in the report store
 * for the Environment view, the status bar and the report panel. In Restricted Mode nothing of the
 * workspace runs: the report compares the profile and requirements only.
 *
 * It supersedes a running check of the notebook, whose result is dropped (the file or a fix changed
 * since it began); Open Report joins the running check instead (services.checks.running).
 */
export function computeReport(
  services: Services,
  notebookFile: string,
  signal: AbortSignal,
  print: (line: string) => void = (line) => services.log(line),
): Promise<ReportData> {
  return services.checks.start(notebookFile, signal, (control) =>
    checkOnce(services, notebookFile, control, print),
  );
}

async function checkOnce(
  services: Services,
  notebookFile: string,
  { signal, isCurrent }: FlightControl,
  print: (line: string) => void,
): Promise<ReportData> {
  services.reports.checking(notebookFile);
  try {
    const app = await services.app();
    const scope = checkScope(vscode.workspace.isTrusted);
    if (scope.note) print(scope.note);
    const result = await app.checkParity(services.sessionContext(notebookFile, signal), notebookFile, {
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
      sources: result.sources,
    };
    if (isCurrent()) services.reports.checked(data);
    return data;
  } catch (error) {
    if (!isCurrent()) throw error;
    if (isCancelled(error)) services.reports.cancelled(notebookFile);
    else services.reports.failed(notebookFile, userMessage(error));
    throw error;
  }
}
