import * as vscode from "vscode";
import type { RunRef } from "../../app/store";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { failureMessage, userMessage } from "../../core/presentation/messages";
import { inferenceRequest } from "../../core/serving/protocol";
import {
  endpointFromWebview,
  type CanaryView,
  type EndpointFromWebview,
  type EndpointToWebview,
  type SendRequest,
} from "../../protocol/endpoint";
import { trustRefusal } from "../../services/trust";
import { BasePanel } from "../basePanel";
import { RecordFollower } from "../recordFollower";
import type { PanelOptions } from "../types";
import { endpointViewState } from "./endpointView";
import { rememberRequest, requestKey, sampleRequest } from "./sampleRequest";
import { sendResultView } from "./sendResult";

export const ENDPOINT_VIEW_TYPE = "parity.endpoint";

/** "Endpoint: iris" */
export function endpointTitle(name: string): string {
  return `Endpoint: ${name}`;
}

/** Promote and Roll Back act on a cluster endpoint's canary, which Parity does not deploy yet. */
const CANARY_ACTIONS: CanaryView["actions"] = {
  available: false,
  why: "cluster endpoints: coming with parity deploy",
};

/**
 * An endpoint, live: where it stands and answers, what it serves, a cluster endpoint's conditions
 * and canary split, and a request tester. The page never sends anything itself (its CSP allows no
 * connection): Send hands the editor's text to the host, which checks it, sends it with the
 * application layer's sendRequests and answers with the response and its latency, or over a short
 * load, the latency histogram and the error count. Follows the endpoint's record on disk, whoever
 * writes it.
 */
export class EndpointPanel extends BasePanel<EndpointToWebview, EndpointFromWebview> {
  private result?: RunResult;
  private sample?: { text: string; source: string };
  private error?: string;
  private sending?: AbortController;
  private readonly record: RecordFollower;

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    readonly run: RunRef,
    private readonly options: PanelOptions,
    /** Opens the logs panel of the endpoint's run. */
    private readonly openLogs: (run: RunRef) => void,
  ) {
    super(panel, context, "endpoint", endpointFromWebview, options.log);
    this.record = new RecordFollower(run, {
      onRun: (result) => void this.show(result),
      onError: (error) => this.failedToFollow(error),
    });
    this.load(run, endpointViewState({ runId: run.runId, canaryActions: CANARY_ACTIONS }));
    this.disposables.push({
      dispose: () => {
        this.record.stop();
        this.sending?.abort();
      },
    });
  }

  protected handlers() {
    return {
      send: (request: SendRequest) => void this.send(request),
      openLogs: () => this.openLogs(this.run),
      copyUrl: () => void this.copyUrl(),
      promote: () => this.canaryRefused("Promote"),
      rollback: () => this.canaryRefused("Roll Back"),
    };
  }

  /** Every load of the page (first, after being hidden, after a reload): show, then follow the record. */
  protected onReady(): void {
    this.publish();
    this.record.start();
  }

  protected override onHidden(): void {
    this.record.stop();
  }

  private async send(request: SendRequest): Promise<void> {
    const answer = (payload: EndpointToWebview["answer"]): void => {
      if (!this.isDisposed) this.messenger.send("answer", payload);
    };
    const refuse = (refused: string): void => answer({ requestId: request.requestId, refused });
    const state = this.viewState();
    const endpoint = this.result?.endpoint;
    if (!state.canSend || !endpoint?.url) return refuse(state.whyNot ?? "The endpoint does not serve.");
    if (this.sending) return refuse("A request is on its way already: wait for its answer.");
    const text = request.text.trim();
    if (!text) {
      return refuse(
        'The request is empty. Fix: write its rows ([[5.1, 3.5, 1.4, 0.2]]) or a body ({"instances": [[...]]}), then send it.',
      );
    }
    let inference;
    try {
      inference = inferenceRequest(endpoint.name, request.protocol, parseJson(text), "the request");
    } catch (error) {
      return refuse(userMessage(error));
    }
    void rememberRequest(this.context.workspaceState, requestKey(this.run.workspaceDir, endpoint.name), text);
    const sending = new AbortController();
    this.sending = sending;
    try {
      const result = await this.options.sendRequests(
        sending.signal,
        endpoint.url,
        inference,
        request.count,
        request.concurrency,
        endpoint.name,
      );
      this.log(
        `Endpoint ${endpoint.name}: ${request.count} request${request.count === 1 ? "" : "s"} to ${endpoint.url}${inference.path}, first answered HTTP ${result.answer.status} in ${result.latencyMs.toFixed(1)} ms${result.load ? `, ${result.load.errors} failed` : ""}.`,
      );
      answer({ requestId: request.requestId, result: sendResultView(result) });
    } catch (error) {
      if (sending.signal.aborted) return;
      refuse(failureMessage("The request was not answered", error, "Check that the endpoint still serves."));
    } finally {
      if (this.sending === sending) this.sending = undefined;
    }
  }

  private async copyUrl(): Promise<void> {
    const url = this.result?.endpoint?.url;
    if (!url) return;
    await vscode.env.clipboard.writeText(url);
    vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
  }

  private canaryRefused(action: string): void {
    this.messenger.send("canaryOutcome", {
      ok: false,
      message: `${action} did nothing: ${CANARY_ACTIONS.why}.`,
    });
  }

  private failedToFollow(error: unknown): void {
    this.log(`Endpoint panel of ${this.run.runId}: ${String(error)}`);
    this.error = failureMessage(
      `Parity could not read the record of endpoint ${this.run.runId}`,
      error,
      "Close this panel and open the endpoint again from the Endpoints view.",
    );
    this.publish();
  }

  private async show(result: RunResult): Promise<void> {
    const first = this.result === undefined;
    this.result = result;
    this.error = undefined;
    const endpoint = result.endpoint;
    if (endpoint) this.panel.title = endpointTitle(endpoint.name);
    if (first && endpoint) {
      this.sample = await sampleRequest(
        this.context.workspaceState,
        requestKey(this.run.workspaceDir, endpoint.name),
        result.notebook,
      );
    }
    this.publish();
  }

  private viewState() {
    return endpointViewState({
      runId: this.run.runId,
      record: this.result,
      sample: this.sample,
      refusal: trustRefusal("request", vscode.workspace.isTrusted),
      canaryActions: CANARY_ACTIONS,
    });
  }

  private publish(): void {
    if (this.isDisposed) return;
    const state = this.viewState();
    this.messenger.sendLatest("state", this.error ? { ...state, error: this.error } : state);
  }
}

/** The editor's text as JSON, or a refusal that names the line of the mistake. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split("\n").length;
    throw new ParityError(
      "RequestDataInvalid",
      `The request is not valid JSON${line ? ` (line ${line})` : ""}: ${(error as Error).message}.`,
      { fix: "Fix the JSON: a list of rows, or a V1 or V2 request body." },
    );
  }
}
