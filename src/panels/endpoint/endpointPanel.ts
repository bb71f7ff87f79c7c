import * as vscode from "vscode";
import type { RunRef } from "../../app/store";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { failureMessage, userMessage } from "../../core/presentation/messages";
import { inferenceRequest } from "../../core/serving/protocol";
import type { InferenceRequest } from "../../core/serving/protocol";
import {
  endpointFromWebview,
  type CanaryChange,
  type EndpointFromWebview,
  type EndpointToWebview,
  type RevisionAnswerView,
  type SendRequest,
} from "../../protocol/endpoint";
import { trustRefusal } from "../../services/trust";
import { BasePanel } from "../basePanel";
import { RecordFollower } from "../recordFollower";
import type { PanelOptions } from "../types";
import { endpointViewState } from "./endpointView";
import { rememberRequest, requestKey, sampleRequest } from "./sampleRequest";
import { noAnswer, sendResultView } from "./sendResult";

export const ENDPOINT_VIEW_TYPE = "parity.endpoint";

/** "Endpoint: iris" */
export function endpointTitle(name: string): string {
  return `Endpoint: ${name}`;
}

/**
 * An endpoint, live: where it stands and answers, what it serves, a cluster endpoint's conditions
 * and canary split, and a request tester. The page never sends anything itself (its CSP allows no
 * connection): Send hands the editor's text to the host, which checks it, sends it with the
 * application layer's sendRequests and answers with the response and its latency, or over a short
 * load, the latency histogram and the error count; Compare sends it once to each revision of a
 * canary at its own URL, side by side, and says plainly which did not answer. Promote and Roll Back
 * go through the host's changeCanary (confirmation, progress). Follows the endpoint's record on
 * disk, whoever writes it.
 */
export class EndpointPanel extends BasePanel<EndpointToWebview, EndpointFromWebview> {
  private result?: RunResult;
  private sample?: { text: string; source: string };
  private error?: string;
  private sending?: AbortController;
  private changing?: CanaryChange;
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
    this.load(run, endpointViewState({ runId: run.runId }));
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
      promote: () => void this.changeCanary("promote"),
      rollback: () => void this.changeCanary("rollback"),
      compare: (request: SendRequest) => void this.compare(request),
    };
  }

  /** Every load of the page (first, after a window reload, shown again if not retained): show, then follow the record. */
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
    const endpoint = this.result?.endpoint;
    const prepared = this.prepare(request, endpoint?.url);
    if (typeof prepared === "string") return refuse(prepared);
    const { inference, url, name, sending } = prepared;
    try {
      const result = await this.options.sendRequests(
        sending.signal,
        url,
        inference,
        request.count,
        request.concurrency,
        name,
      );
      this.log(
        `Endpoint ${name}: ${request.count} request${request.count === 1 ? "" : "s"} to ${url}${inference.path}, first answered HTTP ${result.answer.status} in ${result.latencyMs.toFixed(1)} ms${result.load ? `, ${result.load.errors} failed` : ""}.`,
      );
      const unanswered = result.load ? undefined : noAnswer(result);
      if (unanswered) return refuse(`The endpoint did not answer: ${unanswered}`);
      answer({ requestId: request.requestId, result: sendResultView(result) });
    } catch (error) {
      if (sending.signal.aborted) return;
      refuse(failureMessage("The request was not answered", error, "Check that the endpoint still serves."));
    } finally {
      if (this.sending === sending) this.sending = undefined;
    }
  }

  /**
   * The same request once to each revision of the canary at its own URL, at once: each answer with
   * its latency, or the sentence that says it did not answer (from where VS Code runs, a cluster's
   * in-cluster Service often has no route: that is said, never guessed around).
   */
  private async compare(request: SendRequest): Promise<void> {
    const answer = (payload: EndpointToWebview["comparison"]): void => {
      if (!this.isDisposed) this.messenger.send("comparison", payload);
    };
    const canary = this.viewState().canary;
    if (!canary?.compare.available) {
      return answer({
        requestId: request.requestId,
        refused: canary?.compare.why ?? "The endpoint has no canary to compare with.",
      });
    }
    const prepared = this.prepare({ ...request, count: 1, concurrency: 1 }, this.result?.endpoint?.url);
    if (typeof prepared === "string") return answer({ requestId: request.requestId, refused: prepared });
    const { inference, name, sending } = prepared;
    try {
      const answers = await Promise.all(
        canary.shares
          .filter((share) => share.url)
          .map(async (share): Promise<RevisionAnswerView> => {
            const where = {
              revision: share.revision,
              ...(share.tag ? { tag: share.tag } : {}),
              url: share.url!,
            };
            try {
              const result = await this.options.sendRequests(
                sending.signal,
                share.url!,
                inference,
                1,
                1,
                name,
              );
              const unanswered = noAnswer(result);
              return unanswered
                ? { ...where, failed: unanswered }
                : { ...where, result: sendResultView(result) };
            } catch (error) {
              return { ...where, failed: userMessage(error) };
            }
          }),
      );
      if (sending.signal.aborted) return;
      this.log(
        `Endpoint ${name}: compared ${answers.map((each) => `${each.revision} ${each.result ? `HTTP ${each.result.status} in ${each.result.latencyMs.toFixed(1)} ms` : "did not answer"}`).join(", ")}.`,
      );
      answer({ requestId: request.requestId, answers });
    } finally {
      if (this.sending === sending) this.sending = undefined;
    }
  }

  /** The request checked and made ready to send, or why it is not sent; it is remembered for next time. */
  private prepare(
    request: SendRequest,
    url: string | undefined,
  ): string | { inference: InferenceRequest; url: string; name: string; sending: AbortController } {
    const state = this.viewState();
    const endpoint = this.result?.endpoint;
    if (!state.canSend || !endpoint || !url) return state.whyNot ?? "The endpoint does not serve.";
    if (this.sending) return "A request is on its way already: wait for its answer.";
    const text = request.text.trim();
    if (!text) {
      return 'The request is empty. Fix: write its rows ([[5.1, 3.5, 1.4, 0.2]]) or a body ({"instances": [[...]]}), then send it.';
    }
    let inference;
    try {
      inference = inferenceRequest(endpoint.name, request.protocol, parseJson(text), "the request");
    } catch (error) {
      return userMessage(error);
    }
    void rememberRequest(this.context.workspaceState, requestKey(this.run.workspaceDir, endpoint.name), text);
    const sending = new AbortController();
    this.sending = sending;
    return { inference, url, name: endpoint.name, sending };
  }

  /** Promote or Roll Back through the host (it asks what must be confirmed); the page is told what came of it. */
  private async changeCanary(change: CanaryChange): Promise<void> {
    if (this.changing || !this.viewState().canary?.actions.available) return;
    this.changing = change;
    this.publish();
    try {
      const outcome = await this.options.changeCanary(this.run, change);
      if (!this.isDisposed) this.messenger.send("canaryOutcome", outcome);
    } finally {
      this.changing = undefined;
      this.publish();
    }
  }

  private async copyUrl(): Promise<void> {
    const url = this.result?.endpoint?.url;
    if (!url) return;
    await vscode.env.clipboard.writeText(url);
    vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
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
      changeRefusal: trustRefusal("deploy", vscode.workspace.isTrusted),
      ...(this.changing ? { changing: this.changing } : {}),
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
