import type { Services } from "../../services/container";
import { notebookFor } from "../support/targets";
import { checkParity } from "./check";

/**
 * Parity: Open Parity Report — the last report of the notebook; while a check of it runs, that
 * check's report (not a second check); else a new check.
 */
export async function openReport(services: Services, arg?: unknown): Promise<void> {
  const notebookFile = notebookFor(services, arg, "show the parity report of");
  const running = services.checks.running(notebookFile);
  const data = running ? await running : services.reports.get(notebookFile).data;
  if (!data) return checkParity(services, { notebookFile });
  (await import("../../panels")).showReportPanel(services.context, data);
}
