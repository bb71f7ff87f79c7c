import { createHash } from "node:crypto";
import path, { posix } from "node:path";
import { WORKSPACE_DIR } from "../../core/build/dockerfile";
import { isCancelled } from "../../core/errors";
import type { Diagnosis } from "../../core/diagnosis/types";
import type { HostFolders, LogLine, RunRecordWriter, RunResult, RunStatus } from "../../core/job/types";
import { topologicalOrder } from "../../core/pipeline/graph";
import { stepsToStart, type HostBudget, type StepDemand } from "../../core/pipeline/schedule";
import { stepReason } from "../../core/pipeline/settled";
import type { Pipeline, PipelineStep, PipelineStepState } from "../../core/pipeline/types";
import { formatBytes } from "../../core/profile/quantity";
import type { DockerConnection } from "../../targets/docker/connection";
import { hostBudget, runChildJob } from "../targets/local/childRun";
import { relativeTo, type Print, type SessionContext } from "../context";
import { realPathOf } from "../store/realPath";
import { runDir } from "../store/runRef";
import { newRunId, RunRecorder } from "../store/runStore";
import { lookupStep, rememberStep } from "../store/stepCache";
import type { PreparedPipeline, Produced, ResolvedInput } from "./formats/format";
import { preparePipeline } from "./prepare";

export interface PipelineRunRequest {
  file: string;
  profile?: string;
  /** `name=value` overrides of the pipeline's parameters. */
  params: string[];
  /** Run every step, even one whose succeeded run could be reused. */
  noCache?: boolean;
  verbose?: boolean;
  print: Print;
  /** The pipeline's record exists (its folder's workspace and run id): said once, before any step starts. */
  onStart?(run: { workspaceDir: string; runId: string; steps: number }): void;
  /** A step started, ended, was reused or will not run. */
  onStep?(state: PipelineStepState): void;
  /** A line a step wrote, with the step's name as its source. */
  onLog?(line: LogLine): void;
}

/** What a step's folder of outputs is called below its run's folder. */
const STEP_OUTPUTS = "outputs";

/**
 * Runs a pipeline on local Docker: each step a job run of its own (record, logs, diagnosis) under
 * its limits, in the order its edges allow and side by side as far as this machine's free memory
 * and CPUs allow against those limits. A failed step leaves the steps after it not run while the
 * other branches finish; a step whose image, command, parameters and inputs match a succeeded run
 * is not run again (its outputs are reused). Cancelling stops every running step's container. The
 * pipeline's own record lists where each step stands. What each step runs is its format's
 * (formats/: a Kale-tagged notebook, a compiled KFP pipeline).
 */
export async function runPipelineLocally(
  context: SessionContext,
  request: PipelineRunRequest,
): Promise<RunResult> {
  const { connection, prepared } = await preparePipeline(context, request);
  request.print(describePipeline(prepared.pipeline));
  const runId = newRunId(prepared.pipeline.name);
  const recorder = await RunRecorder.create(prepared.base.workspaceDir, runId);
  try {
    // A cancel request left in its folder (parity delete, Cancel Run elsewhere) stops it as Ctrl-C does.
    const session = { ...context, signal: recorder.honourCancelRequests(context.signal) };
    return await new PipelineRun(session, request, connection, prepared, runId, recorder).run();
  } finally {
    await recorder.release();
  }
}

/** "Pipeline numbers: load → squares, total → report" */
export function describePipeline(pipeline: Pipeline): string {
  const lines = [
    `Pipeline ${pipeline.name}: ${pipeline.steps.length} step${pipeline.steps.length === 1 ? "" : "s"}`,
  ];
  for (const step of pipeline.steps) {
    const after = step.after.length > 0 ? ` after ${step.after.join(", ")}` : "";
    const inputs =
      step.inputs.length > 0
        ? `; receives ${step.inputs.map((input) => `${input.name} from ${input.from}`).join(", ")}`
        : "";
    lines.push(`  ${step.name}${after}${inputs}`);
  }
  return lines.join("\n");
}

class PipelineRun {
  private readonly states: PipelineStepState[];
  /** The steps in an order where each comes after those it needs. */
  private readonly order: PipelineStep[];
  private readonly finished = new Map<string, Produced>();
  private readonly running = new Map<string, Promise<void>>();
  /** Steps started (running, or ended): a step still "pending" while its cache is looked up is not started twice. */
  private readonly launched = new Set<string>();
  private readonly children: string[] = [];
  private readonly startedAt = new Date().toISOString();
  private readonly base: RunResult;
  private budget?: HostBudget;
  private readonly saidWaiting = new Set<string>();

  constructor(
    private readonly context: SessionContext,
    private readonly request: PipelineRunRequest,
    private readonly connection: DockerConnection,
    private readonly prepared: PreparedPipeline,
    private readonly runId: string,
    private readonly recorder: RunRecordWriter,
  ) {
    const { pipeline } = prepared;
    this.order = topologicalOrder(pipeline.steps) ?? pipeline.steps;
    this.states = pipeline.steps.map((step) => ({ name: step.name, status: "pending", after: step.after }));
    this.base = {
      runId,
      kind: "pipeline",
      target: "local",
      status: "running",
      exitCode: null,
      oomKilled: false,
      image: prepared.image,
      notebook: pipeline.file,
      startedAt: this.startedAt,
      memoryLimitBytes: prepared.base.limits.memoryBytes,
      engine: connection.endpoint,
      diagnosis: [],
    };
  }

  async run(): Promise<RunResult> {
    try {
      return await this.schedule();
    } catch (error) {
      // Whatever went wrong, the record does not stay "running": once the steps still going end, it says how.
      await Promise.allSettled(this.running.values());
      await this.recorder.close();
      await this.save(this.context.signal.aborted ? "cancelled" : "failed", {
        finishedAt: new Date().toISOString(),
      });
      throw error;
    }
  }

  private async schedule(): Promise<RunResult> {
    await this.save("running");
    this.request.onStart?.({
      workspaceDir: this.prepared.base.workspaceDir,
      runId: this.runId,
      steps: this.states.length,
    });
    this.budget = await hostBudget(this.connection);
    for (;;) {
      this.skipBlocked();
      if (this.context.signal.aborted) this.cancelPending();
      const ready = this.order.filter(
        (step) =>
          !this.launched.has(step.name) && this.state(step.name).status === "pending" && this.isReady(step),
      );
      const running = [...this.running.keys()].map((name) => this.demand(this.step(name)));
      const { start, waiting } = stepsToStart(
        ready.map((step) => this.demand(step)),
        running,
        this.budget,
      );
      for (const name of start) {
        this.launched.add(name);
        this.running.set(
          name,
          this.runStep(this.step(name)).finally(() => this.running.delete(name)),
        );
      }
      this.sayWaiting(waiting);
      if (this.running.size === 0) break;
      await Promise.race(this.running.values());
    }
    return this.end();
  }

  private step(name: string): PipelineStep {
    return this.prepared.pipeline.steps.find((step) => step.name === name)!;
  }

  private state(name: string): PipelineStepState {
    return this.states.find((state) => state.name === name)!;
  }

  private isReady(step: PipelineStep): boolean {
    return step.after.every((name) => ["succeeded", "cached"].includes(this.state(name).status));
  }

  private limitsOf(step: PipelineStep) {
    return { ...this.prepared.base.limits, ...step.limits };
  }

  private demand(step: PipelineStep): StepDemand {
    const limits = this.limitsOf(step);
    return { name: step.name, memoryBytes: limits.memoryBytes, nanoCpus: limits.nanoCpus };
  }

  /** A step after one that failed, was cancelled or will not run, will not run either: said at once, with why. */
  private skipBlocked(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const step of this.order) {
        const state = this.state(step.name);
        if (state.status !== "pending") continue;
        const blocker = step.after.find((name) =>
          ["failed", "cancelled", "not-run"].includes(this.state(name).status),
        );
        if (!blocker) continue;
        this.update(step.name, { status: "not-run", reason: `${blocker} did not succeed` });
        changed = true;
      }
    }
  }

  private cancelPending(): void {
    for (const state of this.states) {
      if (state.status === "pending")
        this.update(state.name, { status: "not-run", reason: "the pipeline was cancelled" });
    }
  }

  private sayWaiting(waiting: string[]): void {
    const fresh = waiting.filter((name) => !this.saidWaiting.has(name));
    if (fresh.length === 0 || !this.budget) return;
    fresh.forEach((name) => this.saidWaiting.add(name));
    const running = [...this.running.keys()];
    this.request.print(
      `${fresh.join(", ")} ${fresh.length === 1 ? "waits" : "wait"} for ${running.join(", ")}: together their limits would pass this machine's ${formatBytes(this.budget.memoryBytes)} of free memory or ${this.budget.nanoCpus / 1e9} CPUs.`,
    );
  }

  private update(name: string, change: Partial<PipelineStepState>): void {
    const state = this.state(name);
    Object.assign(state, change);
    this.request.onStep?.({ ...state });
    void this.save("running").catch(() => undefined);
  }

  private save(status: RunStatus, extra: Partial<RunResult> = {}): Promise<void> {
    return this.recorder.save({
      ...this.base,
      status,
      children: [...this.children],
      steps: this.states.map((state) => ({ ...state })),
      ...extra,
    });
  }

  private async runStep(step: PipelineStep): Promise<void> {
    const { base, format } = this.prepared;
    const inputs: ResolvedInput[] = step.inputs.map((input) => ({
      ...input,
      produced: this.finished.get(input.from)!,
    }));
    const limits = this.limitsOf(step);
    const key = createHash("sha256")
      .update(
        JSON.stringify({
          step: format.cacheKey(step, inputs),
          params: this.request.params,
          env: base.env,
          limits,
          outputs: step.outputs,
          inputs: inputs.map((input) => [input.name, input.produced.digests[input.output]]),
        }),
      )
      .digest("hex");
    if (step.cache && !this.request.noCache) {
      let produced: Produced | undefined;
      const cached = await lookupStep(base.workspaceDir, key, async (outputsDir) => {
        produced = await format.produced(step, outputsDir);
        return produced.digests;
      });
      if (cached && produced) {
        this.finished.set(step.name, produced);
        this.update(step.name, {
          status: "cached",
          runId: cached.runId,
          reason: `reused the outputs of ${cached.runId}`,
        });
        return;
      }
    }
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(step, inputs, limits, attempt);
      if (outcome.status === "succeeded" && outcome.produced) {
        this.finished.set(step.name, outcome.produced);
        if (step.cache)
          await rememberStep(base.workspaceDir, key, {
            runId: outcome.runId,
            outputsDir: outcome.produced.outputsDir,
            outputs: outcome.produced.digests,
            savedAt: new Date().toISOString(),
          });
        return;
      }
      if (outcome.status === "cancelled" || attempt > step.retries || this.context.signal.aborted) return;
      this.request.print(`${step.name}: failed; trying again (${attempt + 1} of ${step.retries + 1}).`);
    }
  }

  private async attempt(
    step: PipelineStep,
    inputs: ResolvedInput[],
    limits: ReturnType<PipelineRun["limitsOf"]>,
    attempt: number,
  ): Promise<{ status: RunStatus; runId: string; produced?: Produced }> {
    const { base, format, pipeline } = this.prepared;
    const stepRunId = newRunId(`${pipeline.name}-${step.name}`);
    const outputsDir = path.join(runDir({ workspaceDir: base.workspaceDir, runId: stepRunId }), STEP_OUTPUTS);
    const folders: HostFolders = { ...this.prepared.folders, stepOutputs: await realPathOf(outputsDir) };
    this.children.push(stepRunId);
    this.update(step.name, {
      status: "running",
      runId: stepRunId,
      startedAt: new Date().toISOString(),
      ...(attempt > 1 && { attempts: attempt }),
    });
    this.request.print(`${step.name}: started (run ${stepRunId})`);
    const inContainer = (file: string) =>
      posix.join(WORKSPACE_DIR, path.relative(base.workspaceDir, file).split(path.sep).join("/"));
    let result: RunResult | undefined;
    let produced: Produced | undefined;
    let failure: string | undefined;
    try {
      const command = await format.command(step, inputs, { runId: stepRunId, outputsDir, inContainer });
      const stepSpec = {
        ...base,
        name: `${base.name}-${step.name}`,
        image: command.image,
        command: command.command,
        workingDir: command.workingDir ?? base.workingDir,
        limits,
        env: { ...base.env, ...command.env },
        explainTraceback: command.explainTraceback ?? base.explainTraceback,
        folders,
      };
      result = await runChildJob(
        this.connection,
        stepSpec,
        stepRunId,
        { parent: this.runId, step: step.name },
        {
          cancel: this.context.signal,
          onLog: (line) => this.request.onLog?.({ ...line, source: step.name }),
        },
      );
      if (result.status === "succeeded") {
        produced = await format.produced(step, outputsDir).catch((error: unknown) => {
          failure = error instanceof Error ? error.message.replace(/\.$/, "") : String(error);
          return undefined;
        });
      }
    } catch (error) {
      if (!isCancelled(error)) {
        failure = error instanceof Error ? error.message.replace(/\.$/, "") : String(error);
        this.request.print(`${step.name}: ${failure}`);
      }
    }
    // A step that exited 0 without handing on what it declares did not succeed.
    const ended: RunStatus =
      result?.status === "succeeded" && !produced
        ? "failed"
        : (result?.status ?? (this.context.signal.aborted ? "cancelled" : "failed"));
    const reason = failure ?? (result ? stepReason(result) : "it could not start");
    this.update(step.name, {
      status: ended === "succeeded" ? "succeeded" : ended === "cancelled" ? "cancelled" : "failed",
      reason,
      exitCode: result?.exitCode ?? null,
      oomKilled: result?.oomKilled ?? false,
      finishedAt: result?.finishedAt ?? new Date().toISOString(),
    });
    this.request.print(`${step.name}: ${ended}${reason ? ` (${reason})` : ""}`);
    return { status: ended, runId: stepRunId, produced };
  }

  private cancelledDiagnosis(): Diagnosis {
    const stopped = this.states.filter((state) => state.status === "cancelled").map((state) => state.name);
    const what =
      stopped.length === 0
        ? "no step was running"
        : `${[stopped.slice(0, -1).join(", "), stopped.at(-1)].filter(Boolean).join(" and ")} ${stopped.length === 1 ? "was" : "were"} stopped and ${stopped.length === 1 ? "its container" : "their containers"} removed`;
    return {
      code: "PipelineCancelled",
      severity: "info",
      message: `The pipeline run was cancelled: ${what}, and the steps not started were not run.`,
      fix: `Run it again when ready: parity pipeline run ${relativeTo(this.context, this.prepared.pipeline.file)} (in VS Code: Run Pipeline Locally).`,
    };
  }

  private async end(): Promise<RunResult> {
    const failed = this.states.filter((state) => state.status === "failed");
    const cancelled =
      this.context.signal.aborted || this.states.some((state) => state.status === "cancelled");
    const status: RunStatus = failed.length > 0 ? "failed" : cancelled ? "cancelled" : "succeeded";
    const finishedAt = new Date().toISOString();
    const diagnosis = [
      ...stepFailures(this.states),
      ...(this.context.signal.aborted ? [this.cancelledDiagnosis()] : []),
    ];
    const final: RunResult = {
      ...this.base,
      status,
      exitCode: status === "succeeded" ? 0 : status === "cancelled" ? null : 1,
      oomKilled: this.states.some((state) => state.oomKilled),
      children: [...this.children],
      steps: this.states.map((state) => ({ ...state })),
      finishedAt,
      durationMs: Date.parse(finishedAt) - Date.parse(this.startedAt),
      diagnosis,
    };
    await this.recorder.close();
    await this.recorder.save(final);
    return final;
  }
}

/** One error per failed step, pointing at the step's own run. */
export function stepFailures(states: PipelineStepState[]): Diagnosis[] {
  return states
    .filter((state) => state.status === "failed")
    .map((state) => ({
      code: "StepFailed",
      severity: "error",
      message: `The step ${state.name} failed: ${state.reason ?? "see its run"}.`,
      fix: `Open the step's run${state.runId ? ` (${state.runId})` : ""} for its logs and diagnosis: parity logs ${state.runId ?? ""}`.trim(),
    }));
}
