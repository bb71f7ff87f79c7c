import type { Services } from "../../services/container";
import { runFor } from "../support/runs";

/** Parity: Open Logs — the clicked run's logs, else those of the active notebook's newest run. */
export async function openLogs(services: Services, arg?: unknown): Promise<void> {
  const run = await runFor(services, arg, "show the logs of");
  (await import("../../panels")).showLogsPanel(services.context, run.ref);
}
