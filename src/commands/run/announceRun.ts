import * as vscode from "vscode";
import { RAN_WITHOUT_GPU } from "../../core/diagnosis/gpu";
import type { RunResult } from "../../core/job/types";
import { formatDuration } from "../../core/presentation/runStatus";
import type { RunRef } from "../../app/store";
import type { Services } from "../../services/container";

/**
 * How a run of this window ended, said once: on success with Open Logs unless its logs panel is
 * open, on failure with the diagnosis (opened by itself).
 */
export function announceRun(
  services: Services,
  result: RunResult,
  run: RunRef,
  name: string,
  panels: typeof import("../../panels"),
): void {
  const duration = result.durationMs !== undefined ? ` in ${formatDuration(result.durationMs)}` : "";
  services.log(
    `${result.runId}: ${result.status}${duration}${result.exitCode === null ? "" : ` (exit ${result.exitCode})`}`,
  );
  if (result.status === "cancelled") return;
  if (result.status === "succeeded") {
    // Its logs panel open already (it opens as the run starts): nothing to offer.
    const offers = panels.isPanelOpen(panels.LOGS_VIEW_TYPE, run) ? [] : ["Open Logs"];
    const noGpu = result.diagnosis.some((item) => item.code === RAN_WITHOUT_GPU)
      ? " without a GPU (this Docker engine has no NVIDIA runtime)"
      : "";
    void vscode.window
      .showInformationMessage(`${name} succeeded${duration}${noGpu}.`, ...offers)
      .then((choice) => {
        if (choice) panels.showLogsPanel(services.context, run);
      });
    return;
  }
  if (services.setting("openDiagnosisOnFailure", true)) panels.showDiagnosisPanel(services.context, run);
  const why = result.diagnosis[0]?.message ?? `exit code ${result.exitCode ?? "unknown"}`;
  void vscode.window
    .showWarningMessage(`${name} failed: ${why}`, "Open Diagnosis", "Open Logs")
    .then((choice) => {
      if (choice === "Open Diagnosis") panels.showDiagnosisPanel(services.context, run);
      if (choice === "Open Logs") panels.showLogsPanel(services.context, run);
    });
}
