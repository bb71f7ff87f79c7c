import type { RunResult } from "../../core/job/types";
import { fixLines } from "../../core/presentation/fix";
import { parseCommand, TARGET_HELP, targetOptions } from "../args";
import type { CliCommand, CliIO } from "../io";

const USAGE = `Usage: parity deploy <notebook|model file> --target cluster [options]

Deploys the notebook's model as a KServe InferenceService whose predictor runs the same serving
image as parity serve (the run's image with KServe's model server, pushed to image.registry),
with the endpoint's limits as requests and limits, the profile's node selector and tolerations.
The user's permissions, the cluster's KServe, its deployment mode and the preflight are checked
before anything is built; then it waits until KServe says the endpoint serves it.

A model deployed to an existing endpoint replaces its model, or with --canary takes a share of
the traffic beside it (Knative mode: KServe's canaryTrafficPercent; Standard mode: KServe 0.20's
spec.canary, which deploys the canary as its own predictor but routes no traffic by percentage:
Parity says so, and refuses where a canary would be silently ignored). --promote moves all
traffic to the canary, --rollback returns it to the stable model. In a protected namespace a
change to an existing endpoint needs --confirm <name>.

With --target local it serves the model on local Docker and leaves it serving (parity serve
--detach).

Options:
${TARGET_HELP}
  --canary <percent>      Deploy the model as a canary taking this share of traffic (1-99)
  --promote               Move all traffic to the endpoint's canary
  --rollback              Return all traffic to the endpoint's stable model
  --dry-run               Print the InferenceService YAML that would be applied; change nothing
  --confirm <name>        The endpoint's name, typed, to change it in a protected namespace
  --run <id>              Deploy the model of this run (default: the last succeeded one)
  --wait <seconds>        How long to wait for KServe to serve it (default 600)
  --profile <file>        parity.yaml to use (default: the nearest one above the notebook)
  --json                  Progress to stderr; one JSON object on stdout
  -v, --verbose           Show the build's and the push's full output
  -h, --help              Show this help`;

export const deployCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    {
      ...targetOptions,
      canary: { type: "string" },
      promote: { type: "boolean" },
      rollback: { type: "boolean" },
      "dry-run": { type: "boolean" },
      confirm: { type: "string" },
      run: { type: "string" },
      wait: { type: "string" },
      profile: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
    },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const changes = [values.canary !== undefined, values.promote, values.rollback].filter(Boolean).length;
  if (changes > 1) {
    io.err("parity deploy: --canary, --promote and --rollback are one change each; give one of them.");
    return 2;
  }
  const canary = values.canary === undefined ? undefined : Number(values.canary);
  if (canary !== undefined && !(Number.isInteger(canary) && canary >= 1 && canary <= 99)) {
    io.err(`parity deploy: --canary takes a whole percentage from 1 to 99, not "${values.canary}".`);
    return 2;
  }
  const wait = values.wait === undefined ? undefined : Number(values.wait);
  if (wait !== undefined && !(Number.isFinite(wait) && wait > 0)) {
    io.err(`parity deploy: --wait takes a number of seconds, not "${values.wait}".`);
    return 2;
  }
  const print = values.json ? io.err : io.out;
  if (values.target === "local") {
    if (changes > 0 || values["dry-run"]) {
      io.err("parity deploy: --canary, --promote, --rollback and --dry-run are for --target cluster.");
      return 2;
    }
    const { serveCommand } = await import("./serve");
    return serveCommand(
      [
        positionals[0]!,
        "--detach",
        ...(values.json ? ["--json"] : []),
        ...(values.profile ? ["--profile", values.profile] : []),
        ...(values.run ? ["--run", values.run] : []),
      ],
      io,
    );
  }
  if (values.target !== "cluster") {
    io.err(`parity deploy: unknown target "${values.target}"; use "cluster" (or "local").`);
    return 2;
  }
  const { deployToCluster } = await import("../../app/serving/deployCluster");
  const deployed = await deployToCluster(io, {
    source: positionals[0]!,
    profile: values.profile,
    run: values.run,
    placement: { context: values.context, namespace: values.namespace },
    canary,
    promote: values.promote,
    rollback: values.rollback,
    dryRun: values["dry-run"],
    typedName: values.confirm,
    readyTimeoutMs: wait === undefined ? undefined : wait * 1000,
    verbose: values.verbose,
    print,
  });
  if (values["dry-run"]) {
    for (const note of deployed.notes) io.err(`! ${note}`);
    io.out(
      values.json
        ? JSON.stringify({ action: deployed.action, yaml: deployed.yaml, notes: deployed.notes })
        : deployed.yaml.trimEnd(),
    );
    return 0;
  }
  const record = deployed.record!;
  printEndpoint(io, print, record);
  if (values.json)
    io.out(JSON.stringify({ ...deployedJson(record), action: deployed.action, notes: deployed.notes }));
  return record.status === "running" && !record.diagnosis.some((item) => item.severity === "error") ? 0 : 1;
};

function deployedJson(record: RunResult): Record<string, unknown> {
  const endpoint = record.endpoint!;
  const cluster = endpoint.cluster;
  return {
    name: endpoint.name,
    runId: record.runId,
    status: record.status,
    namespace: record.cluster?.namespace ?? null,
    url: endpoint.url ?? null,
    internalUrl: cluster?.internalUrl ?? null,
    protocols: endpoint.protocols,
    mode: cluster?.mode ?? null,
    traffic: cluster?.traffic ?? [],
    conditions: cluster?.conditions ?? [],
    image: endpoint.servingImage,
    coldStartMs: endpoint.coldStartMs ?? null,
    buildMs: endpoint.buildMs ?? null,
    diagnosis: record.diagnosis,
  };
}

function printEndpoint(io: CliIO, print: (line: string) => void, record: RunResult): void {
  const endpoint = record.endpoint!;
  const cluster = endpoint.cluster;
  const where = `${record.cluster?.namespace}${cluster ? `, ${cluster.mode} mode` : ""}`;
  print(`\nEndpoint ${endpoint.name} (${where}): ${record.status === "running" ? "serving" : record.status}`);
  if (endpoint.url)
    print(
      `  URL: ${endpoint.url}${cluster?.internalUrl ? `  (in the cluster: ${cluster.internalUrl})` : ""}`,
    );
  for (const share of cluster?.traffic ?? []) {
    print(
      `  ${String(share.percent).padStart(3)}% ${share.revision}${share.tag ? ` (${share.tag})` : ""}${share.applied ? "" : " — asked for, not routed by KServe"}${share.url ? `  ${share.url}` : ""}`,
    );
  }
  for (const item of record.diagnosis) {
    print(`${item.severity === "error" ? "✗" : "!"} ${item.message}`);
    fixLines(item).forEach((line) => print(line));
  }
  void io;
}
