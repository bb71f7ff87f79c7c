import { relativeTo } from "../../app/context";
import type { RunResult } from "../../core/job/types";
import { parseCommand } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity endpoints [list|stop <name>] [options]

Lists the endpoints that serve below this folder (parity serve, Deploy Model): their name,
where they run, their URL and the model they serve; or stops one by its name or run id.

Options:
  --all                   List ended endpoints too
  --confirm <name>        The endpoint's name, typed, to stop (delete) it in a protected namespace
  --json                  One JSON array (list) or object (stop) on stdout
  -h, --help              Show this help`;

export const endpointsCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    { all: { type: "boolean" }, json: { type: "boolean" }, confirm: { type: "string" } },
    { min: 0, max: 2 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const [verb = "list", name] = positionals;
  const { listEndpoints, stopEndpoints } = await import("../../app/serving/endpoints");
  if (verb === "list" && name === undefined) {
    const endpoints = (await listEndpoints(io, values.all, true)).map((run) => run.result);
    if (values.json) {
      io.out(JSON.stringify(endpoints.map(rowJson)));
      return 0;
    }
    if (endpoints.length === 0) {
      io.out(
        values.all
          ? "No endpoints below this folder."
          : "No endpoint serves below this folder (parity serve <notebook> starts one).",
      );
      return 0;
    }
    for (const record of endpoints) {
      const endpoint = record.endpoint!;
      io.out(
        `${endpoint.name.padEnd(20)} ${statusWord(record).padEnd(9)} ${record.target.padEnd(8)} ${(endpoint.url ?? "-").padEnd(28)} ${relativeTo(io, endpoint.modelFile)}  (${record.runId})`,
      );
    }
    return 0;
  }
  if (verb === "stop" && name !== undefined) {
    const stopped = await stopEndpoints({ env: io.env, cwd: io.cwd, signal: io.signal }, name, {
      typedName: values.confirm,
    });
    if (values.json) io.out(JSON.stringify(stopped.map(rowJson)));
    else
      for (const record of stopped)
        io.out(`Endpoint ${record.endpoint?.name} (${record.runId}): ${statusWord(record)}.`);
    return stopped.every((record) => record.status !== "running") ? 0 : 1;
  }
  io.err(USAGE);
  return 2;
};

function statusWord(record: RunResult): string {
  if (record.status === "running") return "serving";
  if (record.status === "pending") return "loading";
  if (record.status === "cancelled") return "stopped";
  return record.status;
}

function rowJson(record: RunResult): Record<string, unknown> {
  const endpoint = record.endpoint!;
  return {
    name: endpoint.name,
    runId: record.runId,
    status: statusWord(record),
    target: record.target,
    url: endpoint.url ?? null,
    protocols: endpoint.protocols,
    model: endpoint.modelFile,
    containerId: endpoint.containerId ?? null,
    ...(endpoint.cluster ? { traffic: endpoint.cluster.traffic } : {}),
  };
}
