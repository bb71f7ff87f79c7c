import type { Services } from "../../services/container";
import { runPipeline } from "./pipelineRun";

/**
 * Parity: Run Pipeline Locally — runs a pipeline's steps on local Docker, each under its limits,
 * side by side where its edges allow. Cancel stops every running step's container.
 */
export async function runPipelineLocally(services: Services, arg?: unknown): Promise<void> {
  await runPipeline(services, arg, {
    name: "local",
    trust: "run",
    action: "run as a pipeline",
    where: "",
    run: (app, context, request) => app.runPipelineLocally(context, request),
  });
}
