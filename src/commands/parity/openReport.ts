import type { Services } from "../../services/container";
import { notebookFor } from "../support/targets";
import { checkParity } from "./check";

/** Parity: Open Parity Report — the last report of the notebook, or a new check when there is none. */
export async function openReport(services: Services, arg?: unknown): Promise<void> {
  const notebookFile = notebookFor(services, arg, "show the parity report of");
  const data = services.reports.get(notebookFile).data;
  if (!data) return checkParity(services, { notebookFile });
  (await services.panels()).showReportPanel(services.context, data);
}
