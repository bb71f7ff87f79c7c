import { readFile } from "node:fs/promises";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { readExperiment } from "../../core/tuning/experiment";
import { specDigest, type ExperimentRecord } from "../../core/tuning/record";
import { keptOnResume } from "../../core/tuning/settled";
import type { Experiment, ExperimentSpec, MetricStrategy, TrialState } from "../../core/tuning/types";
import { defaultCacheDir } from "../../targets/cache";
import { ensureSuggestionEnv, SuggestionProcess } from "../../targets/suggestion/process";
import type { SessionContext } from "../context";
import type { LoadedJob } from "../job/load";
import { buildForRun, connect, hostFoldersFor, loadForRun } from "../job/session";
import { withdrawCancelRequest } from "../store/cancelRequest";
import { runDir } from "../store/runRef";
import { findRun, newRunId, readRecordOf, RunRecorder, type StoredRun } from "../store/runStore";
import { fixedParams, loadExperiment, type FoundExperiment } from "./load";
import type { TuneRequest } from "./request";
import { ExperimentRun } from "./runLocal";
import { collectedTrialEnd } from "./trialRuns";

/**
 * `parity tune`: the notebook's Katib experiment on local Docker (runLocal.ts says how). Everything
 * that can be refused is refused before the image is built: the experiment read and checked
 * against the notebook's parameters, the `-p` values, the algorithm's settings (by the search
 * library itself). With `resume`, the experiment's record is taken up again.
 */
export async function tuneLocally(context: SessionContext, request: TuneRequest): Promise<RunResult> {
  const connection = await connect(context, request.print);
  const job = await loadForRun(context, request, connection);
  const stored = request.resume ? await resumable(job, request) : undefined;
  const found = stored
    ? await recordedExperiment(job, stored.result.experiment!)
    : await loadExperiment(context, job, request.experiment);
  const { experiment } = found;
  const params = stored?.result.experiment?.params ?? fixedParams(experiment, request.params);
  if (stored && stored.result.experiment!.specDigest !== specDigest(experiment, params)) {
    throw new ParityError(
      "ExperimentChanged",
      `The experiment ${stored.result.runId} was started from a different ${experiment.file}.`,
      {
        location: { file: experiment.file },
        fix: "Resume it with the experiment as it was, or start a new experiment (parity tune without --resume).",
      },
    );
  }
  request.print(describeExperiment(experiment));
  const env = await ensureSuggestionEnv({
    cacheDir: defaultCacheDir(context.env),
    print: request.print,
    signal: context.signal,
  });
  const suggestions = await SuggestionProcess.start(env, context.signal);
  try {
    await checkSettings(suggestions, experiment);
    const { built, moduleDistributions } = await buildForRun(context, connection, job, request);
    const folders = await hostFoldersFor(job);
    for (const note of folders.notes) request.print(note);
    const opened = stored ? await RunRecorder.reopen(stored) : undefined;
    // A cancel asked of it before it was resumed (parity delete) is not one of the resumed experiment.
    if (stored) await withdrawCancelRequest(stored);
    const runId = stored?.result.runId ?? newRunId(experiment.name);
    const recorder = opened?.recorder ?? (await RunRecorder.create(job.workspaceDir, runId));
    try {
      const base: RunResult = {
        ...(opened?.current.result ?? {}),
        runId,
        kind: "experiment",
        target: "local",
        status: "running",
        exitCode: null,
        oomKilled: false,
        image: built.tag,
        notebook: job.notebookFile,
        startedAt: opened?.current.result.startedAt ?? new Date().toISOString(),
        memoryLimitBytes: job.profile.limits.memoryBytes,
        engine: connection.endpoint,
        diagnosis: [],
      };
      delete base.finishedAt;
      delete base.durationMs;
      delete base.cancelRequestedAt;
      const record: ExperimentRecord = opened
        ? await resumedRecord(job.workspaceDir, experiment.spec, opened.current.result.experiment!)
        : newRecord(found, params);
      request.onStart?.({ workspaceDir: job.workspaceDir, runId, experiment });
      if (opened) {
        const again = record.trials.filter((trial) => trial.status === "pending").length;
        request.print(
          `Resuming ${runId}: ${record.trials.length - again} of its ${record.trials.length} trials ended and are kept, ${again} run${again === 1 ? "s" : ""} again.`,
        );
      }
      const setup = {
        connection,
        job,
        image: built.tag,
        moduleDistributions,
        folders,
        experiment,
        suggestions,
      };
      // A cancel request left in its folder (parity delete, Cancel Run elsewhere) stops it as Ctrl-C does.
      const session = { ...context, signal: recorder.honourCancelRequests(context.signal) };
      return await new ExperimentRun(session, request, setup, base, record, recorder).run();
    } finally {
      await recorder.release();
    }
  } finally {
    suggestions.dispose();
  }
}

/** "Experiment mnist: tpe, maximize accuracy (goal 0.99); 12 trials at most, 3 at once; lr double 0.01..0.1, ..." */
export function describeExperiment(experiment: Experiment): string {
  const { spec } = experiment;
  const { objective } = spec;
  const goal = objective.goal !== undefined ? ` (goal ${objective.goal})` : "";
  const count = spec.maxTrialCount !== undefined ? `${spec.maxTrialCount} trials at most` : "no trial limit";
  const lines = [
    `Experiment ${experiment.name}: ${spec.algorithm.algorithmName}, ${objective.type} ${objective.objectiveMetricName}${goal}; ${count}, ${spec.parallelTrialCount} at once`,
  ];
  for (const parameter of spec.parameters) {
    const space = parameter.feasibleSpace;
    const range = space.list
      ? space.list.join(", ")
      : `${space.min}..${space.max}${space.step ? ` step ${space.step}` : ""}`;
    lines.push(`  ${parameter.name}: ${parameter.parameterType} ${range}`);
  }
  return lines.join("\n");
}

/** The algorithm's settings, checked by the library that will use them (Katib's ValidateAlgorithmSettings). */
async function checkSettings(suggestions: SuggestionProcess, experiment: Experiment): Promise<void> {
  const problems = await suggestions.validate(experiment.spec.algorithm, experiment.spec.parameters);
  const [problem] = problems;
  if (!problem) return;
  const index = experiment.spec.algorithm.algorithmSettings.findIndex(
    (setting) => setting.name === problem.setting,
  );
  throw new ParityError("ExperimentSettingInvalid", problem.message, {
    location: {
      file: experiment.file,
      field: problem.setting ? `algorithm.algorithmSettings.${problem.setting}` : "algorithm",
      line: experiment.lineOf(index >= 0 ? ["algorithm", "algorithmSettings", index] : ["algorithm"]),
    },
    fix: problem.fix,
  });
}

export function newRecord(found: FoundExperiment, params: string[]): ExperimentRecord {
  const { experiment } = found;
  const { spec } = experiment;
  return {
    name: experiment.name,
    file: experiment.file,
    ...(found.field && { field: found.field }),
    specDigest: specDigest(experiment, params),
    algorithm: spec.algorithm.algorithmName,
    objective: {
      type: spec.objective.type,
      metric: spec.objective.objectiveMetricName,
      ...(spec.objective.goal !== undefined && { goal: spec.objective.goal }),
      ...strategyOf(spec.objective),
    },
    parallelTrialCount: spec.parallelTrialCount,
    ...(spec.maxTrialCount !== undefined && { maxTrialCount: spec.maxTrialCount }),
    ...(spec.maxFailedTrialCount !== undefined && { maxFailedTrialCount: spec.maxFailedTrialCount }),
    params,
    trials: [],
  };
}

/**
 * Trials that ended keep their results. A trial whose job run ended after the experiment's process
 * went away (its record settled since, from its container) is read from that run: its output or
 * metrics file, as the collector would have read it. The others (cancelled, lost) run again with
 * the parameters they had.
 */
async function resumedRecord(
  workspaceDir: string,
  spec: ExperimentSpec,
  record: ExperimentRecord,
): Promise<ExperimentRecord> {
  const trials = await Promise.all(
    record.trials.map(async (trial): Promise<TrialState> => {
      if (keptOnResume(trial.status)) return trial;
      const recovered = trial.runId ? await endedRun(workspaceDir, spec, trial.runId) : undefined;
      if (recovered) return { ...trial, ...recovered };
      return { name: trial.name, status: "pending", parameters: trial.parameters };
    }),
  );
  const { reason: _reason, ...rest } = record;
  return { ...rest, trials };
}

/** How a trial's job run ended, where it did (succeeded or failed, not cancelled or lost), read as the collector reads it. */
async function endedRun(
  workspaceDir: string,
  spec: ExperimentSpec,
  runId: string,
): Promise<Partial<TrialState> | undefined> {
  const ref = { workspaceDir, runId };
  const run = await readRecordOf(ref);
  if (!run || (run.status !== "succeeded" && run.status !== "failed")) return undefined;
  return collectedTrialEnd(runDir(ref), spec, run);
}

async function resumable(job: LoadedJob, request: TuneRequest): Promise<StoredRun> {
  const stored = await findRun(job.workspaceDir, request.resume);
  const record = stored.result.experiment;
  if (stored.result.kind !== "experiment" || !record) {
    throw new ParityError("NotAnExperiment", `The run ${stored.result.runId} is not an experiment.`, {
      fix: "Give --resume the id of an experiment (parity tune prints it; so does parity logs).",
    });
  }
  const cluster = stored.result.cluster;
  if (stored.result.target === "cluster" && cluster) {
    throw new ParityError(
      "ClusterExperimentNotResumable",
      `The experiment ${stored.result.runId} runs on the cluster as Experiment ${cluster.namespace}/${cluster.name} (context ${cluster.context}): Katib runs its trials there, not Parity here.`,
      {
        fix: `Follow it with parity logs ${stored.result.runId} --follow, or start a new one with parity tune ${stored.result.notebook} --target cluster.`,
      },
    );
  }
  if (stored.result.status === "succeeded" || record.reason === "DoctorRefused") {
    throw new ParityError(
      "ExperimentNotResumable",
      stored.result.status === "succeeded"
        ? `The experiment ${stored.result.runId} has ended: ${record.reason ?? "succeeded"}.`
        : `The experiment ${stored.result.runId} was stopped by the doctor after its first trial.`,
      {
        fix: "Start a new experiment: parity tune without --resume.",
      },
    );
  }
  if (stored.result.notebook !== job.notebookFile) {
    throw new ParityError(
      "ResumeOtherNotebook",
      `The experiment ${stored.result.runId} tunes ${stored.result.notebook}, not ${job.notebookFile}.`,
      {
        fix: `Resume it with the notebook it tunes: parity tune ${stored.result.notebook} --resume ${stored.result.runId}`,
      },
    );
  }
  if (request.experiment || request.params.length > 0) {
    throw new ParityError(
      "ResumeTakesNoExperiment",
      "A resumed experiment keeps its own experiment file and -p values.",
      {
        fix: `Leave out --experiment and -p with --resume ${stored.result.runId}.`,
      },
    );
  }
  return stored;
}

async function recordedExperiment(job: LoadedJob, record: ExperimentRecord): Promise<FoundExperiment> {
  const text = await readFile(record.file, "utf8").catch(() => {
    throw new ParityError("ExperimentUnreadable", `The experiment file ${record.file} could not be read.`, {
      location: { file: record.file },
      fix: "Put the experiment file back where it was to resume, or start a new experiment.",
    });
  });
  const experiment = readExperiment(text, record.file, {
    ...(record.field && { path: [record.field] }),
    parameters: job.notebook.parameters,
  });
  return { experiment, ...(record.field && { field: record.field }) };
}

function strategyOf(objective: ExperimentSpec["objective"]): { strategy?: MetricStrategy } {
  const strategy = objective.metricStrategies.find(
    (each) => each.name === objective.objectiveMetricName,
  )?.value;
  return strategy ? { strategy } : {};
}
