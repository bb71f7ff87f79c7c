import type { Services } from "../../services/container";
import { computeReport } from "../../services/computeReport";
import { withCancellableProgress } from "../support/progress";
import { fileName, notebookFor, saveIfDirty } from "../support/targets";

/** Parity: Check Parity — compares the notebook's environment with production and shows the report. */
export async function checkParity(services: Services, arg?: unknown): Promise<void> {
  const notebookFile = notebookFor(services, arg, "check");
  await saveIfDirty(notebookFile);
  const data = await withCancellableProgress(
    services,
    `Parity: checking ${fileName(notebookFile)}`,
    ({ signal, print }) => computeReport(services, notebookFile, signal, print),
  );
  (await import("../../panels")).showReportPanel(services.context, data);
}
