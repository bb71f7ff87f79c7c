import { describeError, isCancelled, ParityError } from "../core/errors";
import { clusterRefusal } from "../core/presentation/messages";
import type { CliCommand, CliIO } from "./io";

const USAGE = `Usage: parity <command> [options]

Commands:
  check <notebook>       Compare the notebook's environment with production's image and limits
  build <notebook>       Build the production image with the notebook's code
  run <notebook>         Run the notebook in production's image with production's limits
                         (--target cluster: the same job on Kubernetes)
  manifest <notebook>    Print the Kubernetes manifest a cluster run would submit
  logs [run]             Print the logs of a run (the latest when none is named)
  delete <run>           Delete a cluster run's workload, or stop a local run still going
                         (--confirm <name> in a protected namespace)
  pipeline run|check|compile <f>
                         Run a pipeline (a Kale-tagged notebook, a pipeline.yaml or a
                         kfp-compiled YAML) step by step with each step's limits, check it,
                         or compile it to a KFP PipelineSpec (--to kfp)
  tune <notebook>        Tune the notebook's parameters with a Katib Experiment, as local
                         trials under production's limits with Katib's search algorithms
  serve <notebook|model> Serve the notebook's model with KServe's model server in its image and
                         limits on local Docker (V1 and V2 inference protocols)
  deploy <notebook|model> --target cluster
                         Deploy the model as a KServe InferenceService (--canary, --promote,
                         --rollback, --dry-run)
  endpoints [list|stop]  List the endpoints that serve, or stop one
  predict <name|url>     Send a request to an endpoint: the answer and its latency
  base-image             Build a Python base image from Debian packages (no registry needed)

Run "parity <command> --help" for a command's options.`;

// Commands load on first use so that "parity --help" stays instant.
const commands: Record<string, () => Promise<CliCommand>> = {
  check: async () => (await import("./commands/check")).checkCommand,
  build: async () => (await import("./commands/build")).buildCommand,
  run: async () => (await import("./commands/run")).runCommand,
  manifest: async () => (await import("./commands/manifest")).manifestCommand,
  logs: async () => (await import("./commands/logs")).logsCommand,
  delete: async () => (await import("./commands/delete")).deleteCommand,
  pipeline: async () => (await import("./commands/pipeline")).pipelineCommand,
  tune: async () => (await import("./commands/tune")).tuneCommand,
  serve: async () => (await import("./commands/serve")).serveCommand,
  deploy: async () => (await import("./commands/deploy")).deployCommand,
  endpoints: async () => (await import("./commands/endpoints")).endpointsCommand,
  predict: async () => (await import("./commands/predict")).predictCommand,
  "base-image": async () => (await import("./commands/baseImage")).baseImageCommand,
};

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    io.err(USAGE);
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.out(USAGE);
    return 0;
  }
  if (name === "--version") {
    io.out(process.env.PARITY_VERSION ?? "0.1.0");
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.err(`parity: unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    if (!rest.includes("--help") && !rest.includes("-h")) await settleAbandoned(io);
    return await command(rest, io);
  } catch (error) {
    if (isCancelled(error)) {
      io.err("parity: cancelled.");
      return 130;
    }
    if (error instanceof ParityError) {
      io.err(`parity: ${describeError(error)}`);
      return 1;
    }
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      io.err(`parity ${name}: ${error.message}. Run "parity ${name} --help".`);
      return 2;
    }
    const refused = clusterRefusal(error);
    if (refused) {
      io.err(`parity ${name}: ${refused}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`parity ${name}: unexpected failure: ${message}`);
    if (process.env.PARITY_DEBUG) io.err(error instanceof Error && error.stack ? error.stack : "");
    return 1;
  }
}

/**
 * Records that never lie: runs recorded here as still going whose process went away (killed,
 * crashed) are settled before any command reads or writes records. Only the files are read when
 * there is none.
 */
async function settleAbandoned(io: CliIO): Promise<void> {
  const { settleAbandonedRuns } = await import("../app/reconcile");
  await settleAbandonedRuns(io, io.err);
}
