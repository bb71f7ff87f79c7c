import path from "node:path";
import { relativeTo } from "../../app/context";
import type { PipelineStepState } from "../../core/pipeline/types";
import type { LogLine, RunResult } from "../../core/job/types";
import { parseCommand, targetOptions } from "../args";
import type { CliCommand, CliIO } from "../io";

const USAGE = `Usage: parity pipeline <run|check|compile> <file> [options]

A pipeline is a notebook whose cells are tagged as Kale tags them (step:<name>, prev:<name>,
imports, functions, pipeline-parameters, skip, limit:<resource>:<value>), a pipeline.yaml
(whole notebooks and scripts as steps, files between them), or a pipeline compiled by kfp
(its PipelineSpec YAML).

  run <file>        Runs every step on local Docker with its limits (the profile's, its limit:
                    tags, or a KFP task's set_memory_limit/set_cpu_limit), side by side where the
                    steps allow and this machine has room; variables a notebook step uses are
                    passed from the step before it that defines them, a pipeline.yaml step's
                    files at parity_inputs/parity_outputs, a KFP task's parameters and artifacts
                    as KFP passes them. A step after a failed one is not run; a
                    step whose image, code, parameters and inputs match a succeeded run is reused
                    (cached). The exit code is 0 only when every step succeeded.
                    With --target cluster: built here, each step's pod checked against the
                    cluster first, the images pushed as for parity run, then run there as an
                    Argo Workflow with the same limits (requests = limits), followed to its end:
                    each step's logs, events and diagnosis. Ctrl-C deletes the Workflow.
  check <file>      Checks the pipeline's steps and edges without building or running anything;
                    with --target cluster, also whether each step's pod would schedule there
                    (its limits against the nodes, quotas and limit ranges) and whether you may
                    run it as a Workflow.
  compile <file> --to kfp|argo [-o F]
                    Writes the pipeline as a KFP v2 PipelineSpec (the YAML Kubeflow Pipelines
                    takes as an upload) or an Argo Workflow: each step runs its script in the
                    image Parity builds (built first), with its limits, retries (and caching, in
                    KFP). To stdout, or to F.

Options:
  -p, --param name=value  Override a pipeline parameter (repeatable)
  --to <kfp|argo>         What compile writes
  --target local|cluster  Where run runs and check checks (default: local)
  --context <name>        kubeconfig context for --target cluster
  -n, --namespace <name>  Namespace for --target cluster
  -o, --output <file>     Where compile writes (default: stdout)
  --profile <file>        parity.yaml to use (default: the nearest one above the pipeline)
  --no-cache              Run every step, reusing none
  --json                  Progress and logs to stderr; the last line of stdout is the result as JSON
  -v, --verbose           Show the build's full output
  -h, --help              Show this help`;

export const pipelineCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    {
      profile: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
      param: { type: "string", short: "p", multiple: true, default: [] },
      "no-cache": { type: "boolean" },
      to: { type: "string" },
      output: { type: "string", short: "o" },
      ...targetOptions,
    },
    { min: 2, max: 2 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const [action, file] = positionals as [string, string];
  if (values.target !== "local" && values.target !== "cluster") {
    io.err(`parity pipeline: unknown target "${values.target}"; use "local" or "cluster".`);
    return 2;
  }
  if (action === "check" && values.target === "cluster") return checkOnCluster(io, file, values);
  if (action === "check") return check(io, file, Boolean(values.json));
  if (action === "compile") {
    if (values.param.length > 0) {
      io.err(
        "parity pipeline compile: -p does not apply: the compiled pipeline takes its parameters where it runs.",
      );
      return 2;
    }
    return compile(io, file, values);
  }
  if (action !== "run") {
    io.err(`parity pipeline: unknown action "${action}"; use "run", "check" or "compile".\n\n${USAGE}`);
    return 2;
  }
  const print = values.json ? io.err : io.out;
  let workspaceDir: string | undefined;
  const request = {
    onStart: (run: { workspaceDir: string }) => {
      workspaceDir = run.workspaceDir;
    },
    file,
    profile: values.profile,
    params: values.param,
    noCache: values["no-cache"],
    verbose: values.verbose,
    print,
    onLog: (line: LogLine) =>
      (line.stream === "stderr" || values.json ? io.err : io.out)(`[${line.source}] ${line.text}`),
  };
  let result: RunResult;
  if (values.target === "cluster") {
    // Every step runs on a cluster (Parity's step cache is this machine's): --no-cache changes nothing there.
    const { runPipelineOnCluster } = await import("../../app/pipeline/runCluster");
    result = await runPipelineOnCluster(io, {
      ...request,
      placement: { context: values.context, namespace: values.namespace },
    });
  } else {
    const { runPipelineLocally } = await import("../../app/pipeline/runLocal");
    result = await runPipelineLocally(io, request);
  }
  if (values.json) io.out(JSON.stringify(await pipelineJson(result, workspaceDir)));
  else {
    io.out(summary(result));
    for (const item of result.diagnosis) io.out(`  ${item.message}\n    ${item.fix}`);
  }
  return result.status === "succeeded" ? 0 : result.status === "cancelled" ? 130 : 1;
};

async function compile(
  io: CliIO,
  file: string,
  values: { to?: string; output?: string; profile?: string; verbose?: boolean },
): Promise<number> {
  if (!values.to) {
    io.err(`parity pipeline compile: say what to write with --to kfp or --to argo.\n\n${USAGE}`);
    return 2;
  }
  const target = values.output ? path.resolve(io.cwd, values.output) : undefined;
  if (target && target === path.resolve(io.cwd, file)) {
    io.err(`parity pipeline compile: -o ${values.output} is the pipeline itself; name another file.`);
    return 2;
  }
  const { compilePipeline, writeCompiled } = await import("../../app/pipeline/compile");
  const compiled = await compilePipeline(io, {
    file,
    to: values.to,
    profile: values.profile,
    verbose: values.verbose,
    print: io.err,
  });
  for (const note of compiled.notes) io.err(`Note: ${note}`);
  if (!target) {
    io.out(compiled.yaml.replace(/\n$/, ""));
    return 0;
  }
  await writeCompiled(target, compiled.yaml);
  io.err(`Wrote ${relativeTo(io, target)} (${compiled.what}).`);
  return 0;
}

async function checkOnCluster(
  io: CliIO,
  file: string,
  values: { profile?: string; context?: string; namespace?: string; json?: boolean },
): Promise<number> {
  const { checkPipelineOnCluster, pipelineClusterCheckPassed, pipelineClusterCheckText } =
    await import("../../app/pipeline/clusterCheck");
  const result = await checkPipelineOnCluster(io, {
    file,
    profile: values.profile,
    placement: { context: values.context, namespace: values.namespace },
    print: io.err,
  });
  const passed = pipelineClusterCheckPassed(result);
  if (values.json) {
    io.out(
      JSON.stringify({
        pipeline: result.pipeline.name,
        file: result.pipeline.file,
        target: "cluster",
        context: result.target.context,
        namespace: result.target.namespace,
        schedulable: result.steps.every((step) => step.prediction.schedulable),
        allowed: result.missing.length === 0,
        missing: result.missing,
        argoInstalled: result.argoInstalled ?? null,
        steps: result.steps.map((step) => ({ name: step.name, ...step.prediction })),
      }),
    );
  } else io.out(pipelineClusterCheckText(result));
  return passed ? 0 : 1;
}

async function check(io: CliIO, file: string, json: boolean): Promise<number> {
  const { checkPipelineFile } = await import("../../app/pipeline/check");
  const pipeline = await checkPipelineFile(io, file);
  if (json) {
    io.out(
      JSON.stringify({
        name: pipeline.name,
        format: pipeline.format,
        file: pipeline.file,
        steps: pipeline.steps,
      }),
    );
    return 0;
  }
  io.out(
    `${relativeTo(io, pipeline.file)}: pipeline ${pipeline.name}, ${pipeline.steps.length} steps, no problems found.`,
  );
  for (const step of pipeline.steps) {
    io.out(`  ${step.name}${step.after.length > 0 ? ` after ${step.after.join(", ")}` : ""}`);
  }
  return 0;
}

/** The run's last line with --json: the run, each step (with its own run's diagnosis), and the diagnosis. */
async function pipelineJson(result: RunResult, workspaceDir: string | undefined) {
  const { readRecordOf } = await import("../../app/store/runStore");
  const diagnosisOf = async (state: PipelineStepState) =>
    state.runId && workspaceDir && state.status !== "cached"
      ? ((await readRecordOf({ workspaceDir, runId: state.runId }).catch(() => undefined))?.diagnosis ?? [])
      : [];
  const diagnoses = await Promise.all((result.steps ?? []).map(diagnosisOf));
  return {
    runId: result.runId,
    status: result.status,
    steps: (result.steps ?? []).map((state: PipelineStepState, index) => ({
      name: state.name,
      status: state.status,
      runId: state.runId ?? null,
      exitCode: state.exitCode ?? null,
      oomKilled: state.oomKilled ?? false,
      cached: state.status === "cached",
      startedAt: state.startedAt ?? null,
      finishedAt: state.finishedAt ?? null,
      reason: state.reason ?? null,
      diagnosis: diagnoses[index],
    })),
    durationMs: result.durationMs,
    diagnosis: result.diagnosis,
  };
}

function summary(result: RunResult): string {
  const steps = result.steps ?? [];
  const count = (status: string) => steps.filter((state) => state.status === status).length;
  const parts = ["succeeded", "cached", "failed", "not-run", "cancelled"]
    .map((status) => [status, count(status)] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status === "not-run" ? "not run" : status}`);
  const seconds = ((result.durationMs ?? 0) / 1000).toFixed(1);
  return `${result.runId}: ${result.status} in ${seconds} s (${parts.join(", ")}).`;
}
