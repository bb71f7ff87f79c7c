import type { Services } from "../../services/container";
import { runFor } from "../support/runs";

/** Parity: Open Diagnosis — how the clicked run (or the active notebook's newest) ended, and why. */
export async function openDiagnosis(services: Services, arg?: unknown): Promise<void> {
  const run = await runFor(services, arg, "diagnose");
  (await import("../../panels")).showDiagnosisPanel(services.context, run.ref);
}
