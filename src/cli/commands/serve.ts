import { relativeTo } from "../../app/context";
import type { RunResult } from "../../core/job/types";
import { fixLines } from "../../core/presentation/fix";
import { parseCommand } from "../args";
import type { CliCommand, CliIO } from "../io";

const USAGE = `Usage: parity serve <notebook|model file> [options]

Serves the notebook's model on local Docker as production serves it: KServe's model server
(kserve from PyPI, pinned) in the image the model was trained in, under the profile's limits
(serving.resources, else resources), published on 127.0.0.1. The model is the joblib or pickle
file the notebook's last succeeded run wrote to its outputs (or serving.model, or the file given).
It answers KServe's V1 (POST /v1/models/<name>:predict) and V2 (POST /v2/models/<name>/infer)
protocols. Without --detach it serves until Ctrl-C; its logs stream here.

Options:
  --port <n>              Port on 127.0.0.1 (default: a free one)
  --run <id>              Serve the model of this run (default: the last succeeded one)
  --detach                Leave it serving once ready (parity endpoints stop <name> stops it)
  --profile <file>        parity.yaml to use (default: the nearest one above the notebook)
  --json                  Progress to stderr; once ready, one JSON object on stdout:
                          {"name", "url", "protocols", "containerId", ...}
  -v, --verbose           Show the build's full output
  -h, --help              Show this help`;

export const serveCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    {
      port: { type: "string" },
      run: { type: "string" },
      detach: { type: "boolean" },
      profile: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
    },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    io.err(`parity serve: --port takes a port number from 1 to 65535, not "${values.port}".`);
    return 2;
  }
  const print = values.json ? io.err : io.out;
  const { serveLocally } = await import("../../app/serving/serveLocal");
  const started = await serveLocally(io, {
    source: positionals[0]!,
    profile: values.profile,
    run: values.run,
    port,
    detach: values.detach,
    verbose: values.verbose,
    print,
    onReady: (record) => {
      const endpoint = record.endpoint!;
      if (values.json) io.out(JSON.stringify(readyJson(record)));
      print(
        `\nServing ${endpoint.name} at ${endpoint.url} (ready in ${((endpoint.coldStartMs ?? 0) / 1000).toFixed(1)} s)`,
      );
      print(`  V1: curl -s ${endpoint.url}/v1/models/${endpoint.name}:predict -d '{"instances": [[...]]}'`);
      print(`  V2: POST ${endpoint.url}/v2/models/${endpoint.name}/infer (Content-Type: application/json)`);
      print(`  parity predict ${endpoint.name} --data <rows.json>`);
      print(
        values.detach
          ? `It serves until stopped: parity endpoints stop ${endpoint.name}`
          : "Serving until Ctrl-C; its log follows.",
      );
    },
  });
  const { handle } = started;
  const onAbort = (): void => {
    io.err(`parity: stopping the endpoint ${started.name} ...`);
    handle.cancel();
  };
  if (io.signal.aborted) onAbort();
  else io.signal.addEventListener("abort", onAbort, { once: true });
  if (!values.detach)
    handle.onLog((line) => (values.json || line.stream === "stderr" ? io.err : io.out)(`  │ ${line.text}`));
  const result = await handle.result.finally(() => io.signal.removeEventListener("abort", onAbort));
  if (values.detach && result.status === "running") return 0;
  printEnd(io, print, result);
  if (values.json && result.status !== "running" && !result.endpoint?.readyAt)
    io.out(JSON.stringify(readyJson(result)));
  if (result.status === "cancelled") return result.endpoint?.readyAt ? 0 : 130;
  return 1;
};

/** The object `--json` prints once the endpoint answers (or, when it never did, how it ended). */
function readyJson(record: RunResult): Record<string, unknown> {
  const endpoint = record.endpoint!;
  return {
    name: endpoint.name,
    url: endpoint.url ?? null,
    protocols: endpoint.protocols,
    containerId: endpoint.containerId ?? null,
    runId: record.runId,
    status: record.status,
    model: endpoint.modelFile,
    fromRun: endpoint.fromRun ?? null,
    image: endpoint.servingImage,
    kserve: endpoint.kserveVersion,
    coldStartMs: endpoint.coldStartMs ?? null,
    buildMs: endpoint.buildMs ?? null,
    memoryLimitBytes: record.memoryLimitBytes,
    diagnosis: record.diagnosis,
  };
}

function printEnd(io: CliIO, print: (line: string) => void, result: RunResult): void {
  const what = result.status === "cancelled" ? "stopped" : result.status;
  const exit = result.exitCode === null ? "" : ` (exit ${result.exitCode})`;
  print(`\nEndpoint ${result.endpoint?.name}: ${what}${exit}`);
  for (const item of result.diagnosis) {
    const mark = item.severity === "error" ? "✗" : item.severity === "warning" ? "!" : "·";
    print(`${mark} ${item.message}`);
    fixLines(item).forEach((line) => print(line));
  }
  print(`Logs: parity logs ${result.runId}  (model ${relativeTo(io, result.endpoint?.modelFile ?? "")})`);
}
