import { mkdir, readFile } from "node:fs/promises";
import path, { posix } from "node:path";
import { isCancelled, ParityError } from "../../core/errors";
import type { Diagnosis } from "../../core/diagnosis/types";
import type { LocalJobSpec, LogLine, RunRecordWriter, RunResult, RunStatus } from "../../core/job/types";
import { stepsToStart, type HostBudget } from "../../core/pipeline/schedule";
import { formatBytes } from "../../core/profile/quantity";
import { doctorVerdict } from "../../core/tuning/doctor";
import { readStdOutMetrics } from "../../core/tuning/metrics";
import { fileReadings, metricNames, trialEnd } from "../../core/tuning/trialEnd";
import {
  bestTrial,
  breaksMedianStopRule,
  experimentOutcome,
  medianStopRule,
  trialsToRequest,
  type MedianStopRule,
} from "../../core/tuning/progress";
import { describeAssignment, type ExperimentRecord } from "../../core/tuning/record";
import { keptOnResume } from "../../core/tuning/settled";
import type { Experiment, MetricReading, NameValue, TrialState, TrialStatus } from "../../core/tuning/types";
import { isFinished } from "../../core/workload/status";
import type { DockerConnection } from "../../targets/docker/connection";
import type { SuggestionProcess } from "../../targets/suggestion/process";
import { relativeTo, type SessionContext } from "../context";
import { jobSpecFor, type LoadedJob } from "../job/load";
import { hostBudget, runChildJob } from "../targets/local/childRun";
import { realPathOf } from "../store/realPath";
import { runDir } from "../store/runRef";
import { newRunId } from "../store/runStore";
import type { TuneRequest } from "./request";
import { METRICS_FOLDER } from "./trialRuns";

/** Where a trial's outputs are kept below its run's folder. */
const OUTPUTS_FOLDER = "outputs";

/** What the experiment's trials share: the built job, its limits, and the experiment read. */
export interface TrialSetup {
  connection: DockerConnection;
  job: LoadedJob;
  image: string;
  moduleDistributions: Readonly<Record<string, readonly string[]>>;
  folders: LocalJobSpec["folders"];
  experiment: Experiment;
  suggestions: SuggestionProcess;
}

interface Running {
  done: Promise<void>;
  stop: AbortController;
  earlyStopped: boolean;
  rule?: MedianStopRule;
}

/**
 * An experiment on local Docker: Katib's loop, here. Trials are asked of the suggestion process
 * (every trial so far sent each time, as Katib's services get them), each runs as a job run of
 * its own under the profile's limits, `parallelTrialCount` at once as far as this machine's free
 * memory and CPUs allow, its metrics read as Katib's collector reads them. Unless told not to, the
 * doctor runs the first trial alone and stops the experiment when what it saw would waste the
 * others. Katib's end rules end it; Ctrl-C cancels the trials running, and the record keeps the
 * others to resume from.
 */
export class ExperimentRun {
  private readonly running = new Map<string, Running>();
  private readonly histories = new Map<string, MetricReading[]>();
  private readonly children: string[];
  private readonly startedAt: string;
  private budget?: HostBudget;
  private capacityNote = false;
  private exhausted = false;
  /** How many trials have ended in this process: the loop looks again when it changed. */
  private ended = 0;

  constructor(
    private readonly context: SessionContext,
    private readonly request: TuneRequest,
    private readonly setup: TrialSetup,
    private readonly base: RunResult,
    private readonly record: ExperimentRecord,
    private readonly recorder: RunRecordWriter,
  ) {
    this.children = [...(base.children ?? [])];
    this.startedAt = base.startedAt ?? new Date().toISOString();
  }

  private get spec() {
    return this.setup.experiment.spec;
  }

  private get trials(): TrialState[] {
    return this.record.trials;
  }

  async run(): Promise<RunResult> {
    try {
      await this.save("running");
      this.budget = await hostBudget(this.setup.connection);
      // Each trial's own outputs folder is mounted where the profile's are: in the read-only
      // workspace, that place must exist.
      if (this.setup.folders.outputsInsideProject)
        await mkdir(this.setup.folders.outputs, { recursive: true });
      if (this.spec.earlyStopping && this.spec.metricsCollector.kind === "File") {
        this.say(
          "Note: medianstop is applied locally to what a trial prints (the StdOut collector) only; with the File collector every trial runs to its end.",
        );
      }
      const refusal = this.request.noDoctor ? undefined : await this.doctor();
      if (refusal) return await this.end("failed", "DoctorRefused", [refusal]);
      return await this.loop();
    } catch (error) {
      // Whatever went wrong (the suggestion process crashed, the engine went away), the trials
      // stop, and the record says why and how to go on; nothing is lost.
      this.stopAll();
      await Promise.allSettled([...this.running.values()].map((each) => each.done));
      if (this.context.signal.aborted || isCancelled(error)) return this.cancelled();
      const problem = error instanceof ParityError ? error : undefined;
      const message = error instanceof Error ? error.message : String(error);
      return this.end("failed", "ExperimentError", [
        {
          code: problem?.code ?? "ExperimentError",
          severity: "error",
          message: `The experiment stopped: ${message.replace(/\.$/, "")}.`,
          fix: `${problem?.fix ? `${problem.fix.replace(/\.$/, "")}; then g` : "G"}o on with: ${this.resumeCommand()}`,
        },
      ]);
    }
  }

  /** The command that goes on with this experiment. */
  private resumeCommand(): string {
    return `parity tune ${relativeTo(this.context, this.base.notebook)} --resume ${this.base.runId}`;
  }

  private cancelled(): Promise<RunResult> {
    const stopped = this.trials.filter((trial) => trial.status === "cancelled").length;
    const kept = this.trials.filter((trial) => keptOnResume(trial.status)).length;
    return this.end(
      "cancelled",
      "Cancelled",
      [
        {
          code: "ExperimentCancelled",
          severity: "info",
          message: `The experiment was cancelled: ${stoppedText(stopped)}${kept > 0 ? `; the ${kept} that ended ${kept === 1 ? "is" : "are"} kept` : ""}.`,
          fix: `Go on with it: ${this.resumeCommand()} (in VS Code: Resume Experiment on its row in the Experiments view).`,
        },
      ],
      `The experiment was cancelled; go on with: ${this.resumeCommand()}`,
    );
  }

  /** A line of the experiment's progress: said, and kept in its log (parity logs <experiment>). */
  private say(line: string): void {
    this.request.print(line);
    void Promise.resolve(this.recorder.log({ stream: "stdout", text: line, time: Date.now() })).catch(
      () => undefined,
    );
  }

  /** The first trial, alone: refused when its metric cannot be collected, or it fails or runs out of memory. */
  private async doctor(): Promise<Diagnosis | undefined> {
    if (this.trials.some((trial) => isFinished(asRunStatus(trial.status)) && trial.status !== "cancelled"))
      return undefined;
    const first = this.trials.find((trial) => trial.status === "pending") ?? (await this.ask(1))[0];
    if (!first) return undefined;
    this.say(`Doctor: running ${first.name} alone first, to check the experiment before the others start.`);
    const run = this.start(first);
    await run;
    if (this.context.signal.aborted) return undefined;
    const verdict = doctorVerdict({
      experiment: this.setup.experiment,
      trial: first,
      run: this.lastRun,
      lines: this.lastCollected,
      remaining: this.remainingTrials(),
    });
    if (!verdict)
      this.say(
        `Doctor: ${first.name} reported ${this.spec.objective.objectiveMetricName}; starting the others.`,
      );
    return verdict;
  }

  /** The last trial's run, and what its collector read (its output, or its metrics file): the doctor's evidence. */
  private lastRun?: RunResult;
  private lastCollected: { text: string }[] = [];

  /** How many trials the experiment would still run after the ones that ended. */
  private remainingTrials(): number | undefined {
    const max = this.spec.maxTrialCount;
    const ended = this.trials.filter((trial) => !["pending", "running"].includes(trial.status)).length;
    return max === undefined ? undefined : Math.max(0, max - ended);
  }

  private async loop(): Promise<RunResult> {
    for (;;) {
      if (this.context.signal.aborted) break;
      const outcome = experimentOutcome(this.spec, this.trials, { suggestionsExhausted: this.exhausted });
      if (outcome.ended) {
        if (this.running.size > 0) {
          this.say("Stopping the trials still running.");
          this.stopAll();
          await Promise.allSettled([...this.running.values()].map((each) => each.done));
        }
        const diagnosis = outcome.status === "failed" ? failedTrials(this.trials) : [];
        return this.end(outcome.status, outcome.reason, diagnosis, outcome.message);
      }
      const endedBefore = this.ended;
      await this.fill();
      // A trial that ended while the suggestion was asked freed its place: look again at once.
      if (this.ended !== endedBefore || this.context.signal.aborted) continue;
      if (this.running.size === 0) {
        if (this.exhausted) continue;
        // Katib's rules ask for no trial and none runs: nothing would ever change.
        return this.end(
          "failed",
          "ExperimentStalled",
          [],
          "No trial is running and Katib's rules ask for no new one.",
        );
      }
      await Promise.race([...this.running.values()].map((each) => each.done));
    }
    this.stopAll();
    await Promise.allSettled([...this.running.values()].map((each) => each.done));
    return this.cancelled();
  }

  /** Starts pending trials, asking for new ones first, up to what the experiment and this machine allow. */
  private async fill(): Promise<void> {
    const capacity = this.capacity();
    const pending = this.trials.filter((trial) => trial.status === "pending");
    const wanted = Math.min(
      trialsToRequest(this.spec, this.trials),
      capacity - this.running.size - pending.length,
    );
    if (wanted > 0 && !this.exhausted) {
      const asked = await this.ask(wanted);
      if (asked.length < wanted) this.exhausted = true;
      // The experiment may have ended while they were asked for (a trial reached the goal): they never run.
      if (experimentOutcome(this.spec, this.trials).ended || this.context.signal.aborted) {
        this.record.trials = this.trials.filter((trial) => !asked.includes(trial));
        return;
      }
      pending.push(...asked);
    }
    for (const trial of pending.slice(0, Math.max(0, capacity - this.running.size))) void this.start(trial);
  }

  /** How many trials run at once: parallelTrialCount, or fewer where their limits would pass this machine's. */
  private capacity(): number {
    const limits = this.setup.job.profile.limits;
    const demands = Array.from({ length: this.spec.parallelTrialCount }, (_, index) => ({
      name: String(index),
      memoryBytes: limits.memoryBytes,
      nanoCpus: limits.nanoCpus,
    }));
    const { start } = stepsToStart(demands, [], this.budget!);
    if (start.length < demands.length && !this.capacityNote) {
      this.capacityNote = true;
      this.say(
        `${start.length} trial${start.length === 1 ? "" : "s"} at once, not ${demands.length} (parallelTrialCount): together their limits would pass this machine's ${formatBytes(this.budget!.memoryBytes)} of free memory or ${this.budget!.nanoCpus / 1e9} CPUs.`,
      );
    }
    return Math.max(1, start.length);
  }

  private async ask(count: number): Promise<TrialState[]> {
    const asked = performance.now();
    const reply = await this.setup.suggestions.suggest({
      algorithm: this.spec.algorithm,
      objective: {
        type: this.spec.objective.type,
        objectiveMetricName: this.spec.objective.objectiveMetricName,
      },
      parameters: this.spec.parameters,
      trials: this.trials.map((trial) => ({
        name: trial.name,
        parameters: trial.parameters,
        status: trial.status,
        ...(trial.objective !== undefined && { objective: trial.objective }),
      })),
      count,
    });
    const spent = this.record.suggestion ?? { calls: 0, milliseconds: 0 };
    this.record.suggestion = {
      calls: spent.calls + 1,
      milliseconds: spent.milliseconds + performance.now() - asked,
    };
    for (const note of reply.notes ?? []) {
      if (this.record.notes?.includes(note)) continue;
      (this.record.notes ??= []).push(note);
      this.say(`Note: ${note}`);
    }
    const trials = reply.assignments.map((parameters): TrialState => ({
      name: `${this.record.name}-${this.trials.length + 1}`,
      status: "pending",
      parameters,
    }));
    for (const [index, trial] of trials.entries())
      trial.name = `${this.record.name}-${this.trials.length + index + 1}`;
    this.trials.push(...trials);
    return trials;
  }

  private start(trial: TrialState): Promise<void> {
    const stop = new AbortController();
    const entry: Running = { done: Promise.resolve(), stop, earlyStopped: false, rule: this.stopRuleFor() };
    entry.done = this.runTrial(trial, entry).finally(() => this.running.delete(trial.name));
    this.running.set(trial.name, entry);
    return entry.done;
  }

  private async runTrial(trial: TrialState, running: Running): Promise<void> {
    const { job, connection } = this.setup;
    const runId = newRunId(trial.name);
    this.children.push(runId);
    Object.assign(trial, { status: "running", runId, startedAt: new Date().toISOString() });
    delete trial.finishedAt;
    delete trial.reason;
    this.update(trial);
    this.say(`${trial.name}: started with ${describeAssignment(trial.parameters)} (run ${runId})`);
    const collector = this.spec.metricsCollector;
    const names = metricNames(this.spec);
    const readings: MetricReading[] = [];
    const lines: LogLine[] = [];
    const onSignal = () => running.stop.abort();
    this.context.signal.addEventListener("abort", onSignal, { once: true });
    const onLog = (line: LogLine): void => {
      lines.push(line);
      this.request.onLog?.({ ...line, source: trial.name });
      if (collector.kind !== "StdOut") return;
      const read = readStdOutMetrics([line], names, collector.filters).readings;
      if (read.length === 0) return;
      readings.push(...read);
      this.considerStopping(trial, readings, running);
    };
    let result: RunResult | undefined;
    let failure: string | undefined;
    let collected: { text: string }[] = lines;
    try {
      const trialDir = runDir({ workspaceDir: job.workspaceDir, runId });
      const metricsDir = path.join(trialDir, METRICS_FOLDER);
      // Trials side by side must not write over each other's outputs: each has its own folder,
      // mounted where the profile's outputs are.
      const outputsDir = await realPathOf(path.join(trialDir, OUTPUTS_FOLDER));
      const spec: LocalJobSpec = {
        ...jobSpecFor(
          job,
          this.setup.image,
          [...this.record.params, ...trial.parameters.map(assignmentOverride)],
          this.setup.moduleDistributions,
        ),
        name: `${job.name}-${trial.name}`,
        folders: {
          ...this.setup.folders,
          outputs: outputsDir,
          outputsInsideProject: true,
          ...(collector.kind === "File" && {
            metrics: { hostPath: await realPathOf(metricsDir), containerPath: posix.dirname(collector.path) },
          }),
        },
      };
      result = await runChildJob(
        connection,
        spec,
        runId,
        { parent: this.base.runId, trial: trial.name, outputsDir },
        {
          cancel: running.stop.signal,
          onLog,
        },
      );
      if (collector.kind === "File") {
        const text = await readFile(path.join(metricsDir, posix.basename(collector.path)), "utf8").catch(
          () => "",
        );
        const file = fileReadings(this.spec, text);
        collected = file.lines;
        readings.push(...file.readings);
      }
    } catch (error) {
      if (!isCancelled(error))
        failure = error instanceof Error ? error.message.replace(/\.$/, "") : String(error);
    } finally {
      this.context.signal.removeEventListener("abort", onSignal);
    }
    this.histories.set(trial.name, readings);
    this.lastRun = result;
    this.lastCollected = collected;
    delete trial.reason;
    Object.assign(
      trial,
      trialEnd(this.spec, result, readings, {
        earlyStopped: running.earlyStopped,
        cancelled: this.context.signal.aborted,
        failure,
      }),
    );
    this.record.best = bestTrial(this.spec, this.trials) ?? this.record.best;
    this.ended += 1;
    this.update(trial);
    this.say(this.trialLine(trial));
  }

  /**
   * Medianstop's rule for a trial starting now, as Katib fixes it when it creates the trial: from
   * the trials succeeded by then (their readings in this process; none for trials of an earlier one).
   */
  private stopRuleFor(): MedianStopRule | undefined {
    const rule = this.spec.earlyStopping;
    if (!rule) return undefined;
    const completed = this.trials
      .filter((each) => each.status === "succeeded")
      .map((each) => ({ trial: each, readings: this.histories.get(each.name) ?? [] }))
      .filter((each) => each.readings.length > 0);
    return medianStopRule(rule, this.spec.objective, completed);
  }

  /** The collector's side of medianstop: a trial whose best objective at the rule's step is worse than the rule's value is stopped. */
  private considerStopping(trial: TrialState, readings: MetricReading[], running: Running): void {
    if (!running.rule || running.earlyStopped) return;
    if (!breaksMedianStopRule(running.rule, this.spec.objective.type, readings)) return;
    running.earlyStopped = true;
    const { metric, value, startStep } = running.rule;
    this.say(
      `${trial.name}: stopped early (medianstop): its best ${metric} by report ${startStep} is ${this.spec.objective.type === "maximize" ? "below" : "above"} ${value}, the mean of the succeeded trials' first ${startStep} reports.`,
    );
    running.stop.abort();
  }

  private trialLine(trial: TrialState): string {
    const objectiveName = this.spec.objective.objectiveMetricName;
    const value =
      trial.objective !== undefined ? `${objectiveName}=${trial.objective}` : (trial.reason ?? "");
    const best = this.record.best;
    const bestText = best ? `; best so far ${best.trial} (${objectiveName}=${best.objective})` : "";
    return `${trial.name}: ${trial.status}${value ? ` (${value})` : ""}${bestText}`;
  }

  private stopAll(): void {
    for (const entry of this.running.values()) entry.stop.abort();
  }

  private update(trial: TrialState): void {
    this.request.onTrial?.({ ...trial }, this.record.best);
    void this.save("running").catch(() => undefined);
  }

  private save(status: RunStatus, extra: Partial<RunResult> = {}): Promise<void> {
    return this.recorder.save({
      ...this.base,
      status,
      children: [...this.children],
      experiment: { ...this.record, trials: this.trials.map((trial) => ({ ...trial })) },
      ...extra,
    });
  }

  private async end(
    status: RunStatus,
    reason: string | undefined,
    diagnosis: Diagnosis[],
    message?: string,
  ): Promise<RunResult> {
    if (reason) this.record.reason = reason;
    if (message) this.say(message);
    const finishedAt = new Date().toISOString();
    const final: RunResult = {
      ...this.base,
      status,
      exitCode: status === "succeeded" ? 0 : status === "cancelled" ? null : 1,
      oomKilled: this.trials.some((trial) => trial.reason?.includes("out of memory") ?? false),
      children: [...this.children],
      experiment: { ...this.record, trials: this.trials.map((trial) => ({ ...trial })) },
      finishedAt,
      durationMs: Date.parse(finishedAt) - Date.parse(this.startedAt),
      diagnosis,
    };
    await this.recorder.close();
    await this.recorder.save(final);
    return final;
  }
}

/** "the 2 trials running were stopped and their containers removed" */
function stoppedText(stopped: number): string {
  if (stopped === 0) return "no trial was running";
  return stopped === 1
    ? "the trial running was stopped and its container removed"
    : `the ${stopped} trials running were stopped and their containers removed`;
}

/** A trial's value as `-p name=value` gives it: converted by the notebook's default, as papermill does. */
function assignmentOverride({ name, value }: NameValue): string {
  return `${name}=${value}`;
}

function asRunStatus(status: TrialStatus): RunStatus {
  return status === "early-stopped" || status === "metrics-unavailable" ? "succeeded" : status;
}

/** One error naming the failed trials, pointing at their runs. */
function failedTrials(trials: TrialState[]): Diagnosis[] {
  const failed = trials.filter((trial) => trial.status === "failed");
  if (failed.length === 0) return [];
  return [
    {
      code: "TrialsFailed",
      severity: "error",
      message: `${failed.length} trial${failed.length === 1 ? "" : "s"} failed: ${failed.map((trial) => `${trial.name} (${trial.reason ?? "see its run"})`).join("; ")}.`,
      fix: `Open a failed trial's run for its logs and diagnosis: parity logs ${failed[0]!.runId ?? ""}`.trim(),
    },
  ];
}
