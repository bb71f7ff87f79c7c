import path from "node:path";
import * as vscode from "vscode";
import type { RunResult } from "../../core/job/types";
import { failureMessage } from "../../core/presentation/messages";
import { isInside } from "../../core/paths";
import type { Pipeline } from "../../core/pipeline/types";
import {
  runGraphFromWebview,
  type RunGraphFromWebview,
  type RunGraphToWebview,
  type StepView,
} from "../../protocol/pipeline";
import type { RunRef } from "../../app/store";
import { RecordFollower } from "../recordFollower";
import { workspaceFolders } from "../applyFix";
import { BasePanel } from "../basePanel";
import type { PanelOptions } from "../types";
import { runGraphViewState } from "./runGraphView";

export const PIPELINE_VIEW_TYPE = "parity.pipelineRun";

/** "Run Graph: numbers.ipynb" */
export function pipelineTitle(notebook: string): string {
  return `Run Graph: ${path.basename(notebook)}`;
}

/**
 * The run graph of a pipeline run: its steps as a DAG, each node live, following the pipeline's
 * record on disk (whoever writes it: this window, the CLI, another window). A click on a node opens
 * the step's logs, or its diagnosis when it failed.
 */
export class PipelineRunPanel extends BasePanel<RunGraphToWebview, RunGraphFromWebview> {
  private result?: RunResult;
  private definition?: Pick<Pipeline, "steps">;
  private definitionProblem?: string;
  /** The file whose definition was asked for, so it is read once per panel. */
  private definitionOf?: string;
  private readonly reading = new AbortController();
  private error?: string;
  private readonly record: RecordFollower;

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    readonly run: RunRef,
    private readonly options: PanelOptions,
    /** Opens the logs or the diagnosis panel of a step's run. */
    private readonly openRun: (run: RunRef, view: StepView) => void,
  ) {
    super(panel, context, "pipeline", runGraphFromWebview, options.log);
    this.record = new RecordFollower(run, {
      onRun: (result) => this.show(result),
      onError: (error) => this.failedToFollow(error),
    });
    this.load(run, runGraphViewState({ runId: run.runId }));
    this.disposables.push({
      dispose: () => {
        this.record.stop();
        this.reading.abort();
      },
    });
  }

  protected handlers() {
    return {
      openStep: ({ name, view }: RunGraphFromWebview["openStep"]) => this.openStep(name, view),
    };
  }

  /** Only a step of this run's record, and only its own run in the same workspace's records. */
  private openStep(name: string, view: StepView): void {
    const runId = this.result?.steps?.find((state) => state.name === name)?.runId;
    if (!runId) return;
    this.openRun({ workspaceDir: this.run.workspaceDir, runId }, view);
  }

  /** Every load of the page (first, after a window reload, shown again if not retained): show, then follow the record. */
  protected onReady(): void {
    this.publish();
    this.record.start();
  }

  protected override onHidden(): void {
    this.record.stop();
  }

  private failedToFollow(error: unknown): void {
    this.log(`Run graph of ${this.run.runId}: ${String(error)}`);
    this.error = failureMessage(
      `Parity could not read the record of pipeline run ${this.run.runId}`,
      error,
      "Close this panel and open the run again from the Pipelines view.",
    );
    this.publish();
  }

  private show(result: RunResult): void {
    this.result = result;
    this.error = undefined;
    this.panel.title = pipelineTitle(result.notebook);
    this.readDefinition(result);
    this.publish();
  }

  /**
   * The edges, where the record does not carry them: read from the pipeline's file once, and only
   * from a file inside this window's workspace folders (the record names it, and a record is not
   * trusted to point anywhere).
   */
  private readDefinition(result: RunResult): void {
    const needed = (result.steps ?? []).some((state) => state.after === undefined);
    if (!needed || this.definitionOf === result.notebook) return;
    const file = result.notebook;
    this.definitionOf = file;
    if (!workspaceFolders().some((folder) => isInside(path.resolve(file), folder))) {
      this.definitionProblem = `${path.basename(file)} is not inside this window's workspace folders.`;
      return;
    }
    this.options.readPipeline(file, this.reading.signal).then(
      (pipeline) => {
        this.definition = pipeline;
        this.publish();
      },
      (error: unknown) => {
        this.log(`Run graph of ${this.run.runId}: reading ${file}: ${String(error)}`);
        this.definitionProblem = `${path.basename(file)} could not be read as a pipeline now (the Parity output channel says why).`;
        this.publish();
      },
    );
  }

  private publish(): void {
    if (this.isDisposed) return;
    const state = runGraphViewState({
      runId: this.run.runId,
      record: this.result,
      definition: this.definition,
      definitionProblem: this.definitionProblem,
    });
    this.messenger.sendLatest("state", this.error ? { ...state, error: this.error } : state);
  }
}
