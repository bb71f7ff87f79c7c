import { describeError, isCancelled, ParityError } from "../../core/errors";
import type { LogLine, RunResult } from "../../core/job/types";
import type { TrialState } from "../../core/tuning/types";
import { jobOptions, parseCommand, targetOptions } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity tune <notebook> [options]

Tunes the notebook's parameters with a Katib v1beta1 Experiment (the whole manifest or its spec:
objective, algorithm, parameters, trial counts, earlyStopping, metricsCollectorSpec), run as
local trials on Docker: each trial a run of the notebook under the profile's limits, its
parameters set in the notebook's "parameters" cell, parallelTrialCount at once as far as this
machine's memory and CPUs allow. The search is Katib's own algorithm from the library Katib's
suggestion service uses (random, tpe: hyperopt; grid, multivariate-tpe: optuna;
bayesianoptimization: scikit-optimize; cmaes, sobol: optuna's samplers, which differ from
Katib's Go service); metrics are read as Katib's StdOut or File collector reads them, and the
experiment ends as Katib ends it (goal, maxTrialCount, maxFailedTrialCount; medianstop).

Before the others start, the doctor runs the first trial alone and stops the experiment when
its objective metric cannot be collected from what it printed (with the line and the fix), or
when it fails or runs out of memory. Ctrl-C stops the trials running; --resume goes on.

The experiment is the file given with --experiment, else "tuning:" in parity.yaml, else
<notebook>.experiment.yaml or experiment.yaml next to the notebook.

Options:
  --experiment <file>     The Katib Experiment YAML
  -p, --param name=value  Fix a parameter the experiment does not search, in every trial (repeatable)
  --no-doctor             Start parallelTrialCount trials at once, without checking the first alone
  --resume <id>           Go on with an experiment that was cancelled or whose process went away
  --target local|cluster  Where the trials run: local Docker (default), or the cluster as a Katib
                          Experiment (built and pushed as for parity run --target cluster, its
                          trials followed to the end; Ctrl-C deletes it)
  --dry-run               With --target cluster: print the Katib Experiment that would be
                          submitted (its trials the Job a cluster run submits, each trial's
                          values in its parameters), creating nothing
  --context <name>        kubeconfig context for --target cluster
  -n, --namespace <name>  Namespace for --target cluster
  --profile <file>        parity.yaml to use (default: the nearest one above the notebook)
  --no-report             Skip the parity report
  --json                  Logs and progress to stderr; the last line of stdout is the result as JSON
  -v, --verbose           Show the build's full output
  -h, --help              Show this help`;

export const tuneCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    {
      ...jobOptions,
      experiment: { type: "string" },
      param: { type: "string", short: "p", multiple: true, default: [] },
      "no-doctor": { type: "boolean" },
      resume: { type: "string" },
      ...targetOptions,
      "dry-run": { type: "boolean" },
      "no-report": { type: "boolean" },
    },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (values.target === "cluster" && values["dry-run"]) {
    const { experimentManifest } = await import("../../app/tuning/clusterExperiment");
    const manifest = await experimentManifest(io, {
      notebook: positionals[0]!,
      experiment: values.experiment,
      profile: values.profile,
      params: values.param,
      placement: { context: values.context, namespace: values.namespace },
      print: io.err,
    });
    io.out(manifest.yaml.replace(/\n$/, ""));
    return 0;
  }
  if (values.target !== "local" && values.target !== "cluster") {
    io.err(`parity tune: unknown target "${values.target}"; use "local" or "cluster".`);
    return 2;
  }
  if (values["dry-run"]) {
    io.err("parity tune: --dry-run prints the Katib Experiment for a cluster; add --target cluster.");
    return 2;
  }
  if (values.target === "cluster" && values.resume) {
    io.err(
      "parity tune: --resume goes on with a local experiment; one on the cluster runs on without Parity (follow it with parity logs <id> --follow).",
    );
    return 2;
  }
  const print = values.json ? io.err : io.out;
  let experimentId: string | null = null;
  let result: RunResult;
  try {
    const tune =
      values.target === "cluster"
        ? (await import("../../app/tuning/runCluster")).tuneOnCluster
        : (await import("../../app/tuning/tune")).tuneLocally;
    result = await tune(io, {
      placement: { context: values.context, namespace: values.namespace },
      notebook: positionals[0]!,
      experiment: values.experiment,
      profile: values.profile,
      params: values.param,
      noDoctor: values["no-doctor"],
      resume: values.resume,
      noReport: values["no-report"],
      verbose: values.verbose,
      print,
      onStart: ({ runId }) => {
        experimentId = runId;
        print(`Experiment ${runId} started (parity logs ${runId}).`);
      },
      onLog: (line: LogLine) =>
        (line.stream === "stderr" || values.json ? io.err : io.out)(`[${line.source}] ${line.text}`),
    });
  } catch (error) {
    // The --json contract holds for failures before the experiment's end too: the last line is the result.
    if (values.json) io.out(JSON.stringify(experimentFailure(error, experimentId)));
    throw error;
  }
  if (values.json) {
    const { experimentJson } = await import("../../core/tuning/json");
    io.out(JSON.stringify(experimentJson(result)));
  } else {
    io.out(summary(result));
    for (const item of result.diagnosis) io.out(`  ${item.message}\n    ${item.fix}`);
  }
  return result.status === "succeeded" ? 0 : result.status === "cancelled" ? 130 : 1;
};

function summary(result: RunResult): string {
  const experiment = result.experiment;
  const trials = experiment?.trials ?? [];
  const counts = new Map<TrialState["status"], number>();
  for (const trial of trials) counts.set(trial.status, (counts.get(trial.status) ?? 0) + 1);
  const countText = [...counts].map(([status, count]) => `${count} ${status}`).join(", ");
  const lines = [
    `Experiment ${result.runId} ${result.status}: ${trials.length} trial${trials.length === 1 ? "" : "s"} (${countText || "none"}).`,
  ];
  const best = experiment?.best;
  if (best && experiment) {
    const parameters = best.parameters.map(({ name, value }) => `${name}=${value}`).join(", ");
    lines.push(`Best: ${best.trial}, ${experiment.objective.metric}=${best.objective} with ${parameters}.`);
  } else lines.push("Best: none (no trial reported its objective).");
  return lines.join("\n");
}

/** `--json`'s last line for an experiment that stopped with an error (refused before it started, or the build failed). */
function experimentFailure(error: unknown, experimentId: string | null) {
  const cancelled = isCancelled(error);
  const parity = error instanceof ParityError ? error : undefined;
  return {
    experimentId,
    status: cancelled ? "cancelled" : "failed",
    reason: null,
    trials: [],
    best: null,
    suggestion: null,
    diagnosis: [
      {
        code: cancelled ? "Cancelled" : (parity?.code ?? "UnexpectedFailure"),
        severity: cancelled ? "info" : "error",
        message: parity ? describeError(parity).split("\n  Fix: ")[0] : (error as Error).message,
        fix: parity?.fix ?? (cancelled ? "Run it again when ready." : "See the message above."),
        ...(parity?.location?.file
          ? { location: { file: parity.location.file, line: parity.location.line } }
          : {}),
      },
    ],
  };
}
