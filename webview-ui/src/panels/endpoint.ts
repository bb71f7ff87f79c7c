import { html, nothing, render, svg } from "lit";
import type {
  CanaryView,
  ComparisonAnswer,
  EndpointFromWebview,
  EndpointToWebview,
  EndpointViewState,
  LoadView,
  RevisionAnswerView,
  SendAnswer,
  SendResultView,
} from "../../../src/protocol/endpoint";
import { MAX_CONCURRENCY, MAX_LOAD_REQUESTS } from "../../../src/protocol/endpoint";
import "../lib/base.css";
import "../lib/endpoint/endpoint.css";
import "../lib/elements";
import { connectToHost } from "../lib/host";
import { actionLink } from "../lib/items";

type Protocol = EndpointViewState["protocol"];

/** What the page remembers when it is hidden and shown again, or the window reloads. */
interface Ui {
  /** The request editor's text, once the user typed in it (else the sample is shown). */
  text?: string;
  protocol?: Protocol;
  count: number;
  concurrency: number;
}

const DEFAULT_UI: Ui = { count: 100, concurrency: 4 };

/** The request in flight, by id, and whether it is a load or a comparison of the revisions. */
let pending: { id: number; kind: "single" | "load" | "compare" } | undefined;
let nextId = 1;
let single: SendAnswer | undefined;
let load: SendAnswer | undefined;
let comparison: ComparisonAnswer | undefined;
let canaryOutcome: { ok: boolean; message: string } | undefined;

const host = connectToHost<EndpointToWebview, EndpointFromWebview, Ui, EndpointViewState>({
  state: (next) => {
    state = next;
    host.saveView(next);
    draw();
  },
  answer: (answer) => {
    if (!pending || answer.requestId !== pending.id) return;
    if (pending.kind === "load") load = answer;
    else single = answer;
    pending = undefined;
    draw();
  },
  comparison: (answer) => {
    if (!pending || answer.requestId !== pending.id) return;
    comparison = answer;
    pending = undefined;
    draw();
  },
  canaryOutcome: (outcome) => {
    canaryOutcome = outcome;
    draw();
  },
});
let state = host.lastView;
const saved = host.savedUi;
const ui: Ui = {
  ...DEFAULT_UI,
  ...(typeof saved?.text === "string" ? { text: saved.text } : {}),
  ...(saved?.protocol === "v1" || saved?.protocol === "v2" ? { protocol: saved.protocol } : {}),
  ...(wholeIn(saved?.count, MAX_LOAD_REQUESTS) ? { count: saved!.count } : {}),
  ...(wholeIn(saved?.concurrency, MAX_CONCURRENCY) ? { concurrency: saved!.concurrency } : {}),
};

function wholeIn(value: unknown, most: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= most;
}

function setUi(change: Partial<Ui>): void {
  Object.assign(ui, change);
  host.saveUi(ui);
  draw();
}

function protocolOf(endpoint: EndpointViewState): Protocol {
  const chosen = ui.protocol ?? endpoint.protocol;
  return endpoint.protocols.includes(chosen) ? chosen : endpoint.protocol;
}

function editorText(): string {
  return ui.text ?? state?.sample?.text ?? "";
}

function send(endpoint: EndpointViewState, kind: "single" | "load" | "compare"): void {
  if (pending || !endpoint.canSend) return;
  pending = { id: nextId++, kind };
  if (kind === "load") load = undefined;
  else if (kind === "compare") comparison = undefined;
  else single = undefined;
  const asLoad = kind === "load";
  host.send(kind === "compare" ? "compare" : "send", {
    requestId: pending.id,
    text: editorText(),
    protocol: protocolOf(endpoint),
    count: asLoad ? ui.count : 1,
    concurrency: asLoad ? ui.concurrency : 1,
  });
  draw();
}

function draw(): void {
  render(view(state), document.getElementById("app")!);
}

function view(endpoint: EndpointViewState | undefined) {
  if (!endpoint) return html`<p class="muted">Reading the endpoint's record...</p>`;
  return html`
    <h1>Endpoint: ${endpoint.name}</h1>
    <p class="headline-row">
      <span data-testid="endpoint-status" data-state=${endpoint.state} class="status state-${endpoint.state}"
        >${endpoint.stateLabel}</span
      >
      ${endpoint.url ? html`<code data-testid="endpoint-url">${endpoint.url}</code>` : nothing}
      ${
        endpoint.url && endpoint.state === "serving"
          ? actionLink("Copy URL", () => host.send("copyUrl", {}), "copy-url")
          : nothing
      }
      ${endpoint.live ? html`<vscode-progress-ring class="inline-ring"></vscode-progress-ring>` : nothing}
      <span class="spacer"></span>
      <vscode-button secondary data-testid="open-logs" @click=${() => host.send("openLogs", {})}
        >Open Logs</vscode-button
      >
    </p>
    ${endpoint.error ? html`<div class="error-banner" role="alert">${endpoint.error}</div>` : nothing}
    ${endpoint.note ? html`<p class="muted" data-testid="endpoint-note">${endpoint.note}</p>` : nothing}
    ${endpoint.problems.map(
      (problem) =>
        html`<div class="item severity-border-error" data-testid="endpoint-problem">
          <div class="message">${problem.message}</div>
          <div class="fix"><strong>Fix:</strong> ${problem.fix}</div>
        </div>`,
    )}
    ${
      endpoint.facts.length > 0
        ? html`<table class="facts compare" data-testid="endpoint-facts">
            ${endpoint.facts.map(
              (fact) =>
                html`<tr>
                  <th>${fact.label}</th>
                  <td>${fact.value}</td>
                </tr>`,
            )}
          </table>`
        : nothing
    }
    ${conditionsView(endpoint)} ${endpoint.canary ? canaryView(endpoint.canary) : nothing} ${outcomeView()}
    ${requestView(endpoint)}
  `;
}

/**
 * How a condition reads: KServe's conditions are good when True, but `Stopped` is good when False
 * (the endpoint is not stopped), so its False is not shown as a failure.
 */
function conditionTone(condition: { type: string; status: string }): string {
  const status = condition.status.toLowerCase();
  if (condition.type !== "Stopped" || status === "unknown") return status;
  return status === "false" ? "true" : "false";
}

function conditionsView(endpoint: EndpointViewState) {
  if (endpoint.conditions.length === 0) return nothing;
  return html`<h2>Conditions</h2>
    <table class="compare" data-testid="conditions">
      ${endpoint.conditions.map(
        (condition) =>
          html`<tr data-type=${condition.type} data-status=${condition.status}>
            <th>${condition.type}</th>
            <td class="condition-${conditionTone(condition)}">${condition.status}</td>
            <td>
              ${condition.reason ?? ""}${condition.message ? html`<div class="muted">${condition.message}</div>` : nothing}
            </td>
          </tr>`,
      )}
    </table>`;
}

/** The canary's split; a share KServe records but does not route is marked, never shown as routed. */
function canaryView(canary: CanaryView) {
  const { actions, changing } = canary;
  const unrouted = canary.shares.filter((share) => !share.applied);
  return html`<h2>Canary</h2>
    <table class="compare traffic" data-testid="canary">
      ${canary.shares.map(
        (share) =>
          html`<tr
            data-testid="traffic-share"
            data-revision=${share.revision}
            data-applied=${String(share.applied)}
            class=${share.applied ? "" : "not-applied"}
          >
            <th>${share.revision}</th>
            <td class=${share.applied ? "" : "severity-warning"} data-testid="traffic-words">
              ${share.words}
            </td>
            <td class="mono">${share.url ?? ""}</td>
          </tr>`,
      )}
    </table>
    ${
      unrouted.length > 0
        ? html`<p class="notice severity-warning" data-testid="canary-not-routed">
            KServe does not route
            ${unrouted.map((share) => `${share.revision}'s ${share.percent} %`).join(", ")}: every request to
            the endpoint's URL goes to the routed revision, and the canary answers only at its own URL. Send
            to Each Revision below compares them.
          </p>`
        : nothing
    }
    <div class="summary-row">
      <vscode-button
        data-testid="promote"
        ?disabled=${!actions.available}
        title=${actions.available ? "Make the canary the endpoint's stable model" : (actions.why ?? "")}
        @click=${() => actions.available && host.send("promote", {})}
        >Promote</vscode-button
      >
      <vscode-button
        secondary
        data-testid="rollback"
        ?disabled=${!actions.available}
        title=${actions.available ? "Take the canary out: the stable model keeps all traffic" : (actions.why ?? "")}
        @click=${() => actions.available && host.send("rollback", {})}
        >Roll Back</vscode-button
      >
      ${changing ? html`<vscode-progress-ring class="inline-ring"></vscode-progress-ring>` : nothing}
      ${!actions.available && actions.why ? html`<span class="muted" data-testid="canary-why-not">${actions.why}</span>` : nothing}
    </div>`;
}

/** What Promote or Roll Back came to: kept once the canary is gone from the split (it was promoted). */
function outcomeView() {
  if (!canaryOutcome) return nothing;
  return html`<p
    class="notice${canaryOutcome.ok ? "" : " severity-error"}"
    data-testid="canary-outcome"
    data-ok=${String(canaryOutcome.ok)}
  >
    ${canaryOutcome.message}
  </p>`;
}

function requestView(endpoint: EndpointViewState) {
  const protocol = protocolOf(endpoint);
  const busy = pending !== undefined;
  const disabled = !endpoint.canSend || busy;
  const why = endpoint.canSend ? "" : (endpoint.whyNot ?? "");
  return html`<h2>Request</h2>
    <div class="request-bar">
      <span class="segments" role="group" aria-label="Inference protocol">
        ${endpoint.protocols.map(
          (each) =>
            html`<button
              class="segment"
              data-testid=${`protocol-${each}`}
              aria-pressed=${String(each === protocol)}
              title=${each === "v1" ? "KServe V1: POST /v1/models/<name>:predict" : "Open Inference Protocol (V2): POST /v2/models/<name>/infer"}
              @click=${() => setUi({ protocol: each })}
            >
              ${each.toUpperCase()}
            </button>`,
        )}
      </span>
      <span class="muted"
        >${endpoint.sample && ui.text === undefined ? `From ${endpoint.sample.source}` : ""}</span
      >
    </div>
    <textarea
      class="request-text mono"
      data-testid="request-text"
      spellcheck="false"
      rows="8"
      placeholder='{"instances": [[...]]}   (rows alone, [[5.1, 3.5, 1.4, 0.2]], or a V1 or V2 body)'
      .value=${editorText()}
      @input=${(event: Event) => {
        ui.text = (event.target as HTMLTextAreaElement).value;
        host.saveUi(ui);
      }}
    ></textarea>
    <div class="summary-row">
      <vscode-button
        data-testid="send"
        ?disabled=${disabled}
        title=${why}
        @click=${() => send(endpoint, "single")}
        >Send</vscode-button
      >
      <vscode-button
        secondary
        data-testid="send-load"
        ?disabled=${disabled}
        title=${why || `Send it ${ui.count} times, ${ui.concurrency} at once`}
        @click=${() => send(endpoint, "load")}
        >Send ${ui.count}</vscode-button
      >
      ${
        endpoint.canary
          ? html`<vscode-button
              secondary
              data-testid="compare"
              ?disabled=${busy || !endpoint.canary.compare.available}
              title=${
                endpoint.canary.compare.available
                  ? "Send the request once to each revision at its own URL, side by side"
                  : (endpoint.canary.compare.why ?? "")
              }
              @click=${() => send(endpoint, "compare")}
              >Send to Each Revision</vscode-button
            >`
          : nothing
      }
      <label class="muted"
        >requests
        <input
          class="number"
          type="number"
          data-testid="load-count"
          min="1"
          max=${MAX_LOAD_REQUESTS}
          .value=${String(ui.count)}
          @change=${(event: Event) => numberInput(event, "count", MAX_LOAD_REQUESTS)}
      /></label>
      <label class="muted"
        >at once
        <input
          class="number"
          type="number"
          data-testid="load-concurrency"
          min="1"
          max=${MAX_CONCURRENCY}
          .value=${String(ui.concurrency)}
          @change=${(event: Event) => numberInput(event, "concurrency", MAX_CONCURRENCY)}
      /></label>
      ${busy ? html`<vscode-progress-ring class="inline-ring"></vscode-progress-ring>` : nothing}
    </div>
    ${!endpoint.canSend && endpoint.whyNot ? html`<p class="muted" data-testid="send-disabled">${endpoint.whyNot}</p>` : nothing}
    ${single ? answerView(single, "response") : nothing} ${load ? answerView(load, "load") : nothing}
    ${comparison ? comparisonView(comparison) : nothing}`;
}

/** Each revision's answer to the same request, side by side; one that did not answer says so, plainly. */
function comparisonView(answer: ComparisonAnswer) {
  if (answer.refused) {
    return html`<div class="error-banner" role="alert" data-testid="compare-refused">${answer.refused}</div>`;
  }
  return html`<section data-testid="comparison">
    <h2>Each Revision</h2>
    <div class="side-by-side">${(answer.answers ?? []).map(revisionAnswer)}</div>
  </section>`;
}

function revisionAnswer(answer: RevisionAnswerView) {
  const { result } = answer;
  return html`<div
    class="revision-answer"
    data-testid="revision-answer"
    data-revision=${answer.revision}
    data-answered=${String(result !== undefined)}
  >
    <h3>${answer.revision}${answer.tag ? html` <span class="muted">(${answer.tag})</span>` : nothing}</h3>
    <div class="mono muted">${answer.url}</div>
    ${
      result
        ? html`<p>
              <span class="status ${result.ok ? "state-serving" : "state-failed"}"
                >HTTP ${result.status}</span
              >
              <span data-testid="revision-latency">${formatMs(result.latencyMs)}</span>
            </p>
            ${
              result.predictions !== undefined
                ? html`<p><strong>Predictions:</strong> <code>${result.predictions}</code></p>`
                : nothing
            }
            ${result.error !== undefined ? html`<div class="error-banner">${result.error}</div>` : nothing}
            <pre class="snippet response-body">${result.body}</pre>`
        : html`<p class="severity-error" data-testid="did-not-answer">
            <strong>Did not answer:</strong> ${answer.failed ?? ""}
          </p>`
    }
  </div>`;
}

function numberInput(event: Event, field: "count" | "concurrency", most: number): void {
  const input = event.target as HTMLInputElement;
  const value = Number(input.value);
  if (wholeIn(value, most)) setUi({ [field]: value });
  else input.value = String(ui[field]);
}

function answerView(answer: SendAnswer, kind: "response" | "load") {
  if (answer.refused) {
    return html`<div class="error-banner" role="alert" data-testid="send-refused">${answer.refused}</div>`;
  }
  const result = answer.result;
  if (!result) return nothing;
  return kind === "load" && result.load ? loadResultView(result.load) : responseView(result);
}

/** The first answer: its status, latency, predictions and body. The body is the server's: text only. */
function responseView(result: SendResultView) {
  return html`<section data-testid="response" data-ok=${String(result.ok)}>
    <h2>Response</h2>
    <p>
      <span class="status ${result.ok ? "state-serving" : "state-failed"}" data-testid="response-status"
        >HTTP ${result.status}</span
      >
      <span data-testid="response-latency">${formatMs(result.latencyMs)}</span>
      <span class="muted">${result.request}</span>
    </p>
    ${
      result.predictions !== undefined
        ? html`<p>
            <strong>Predictions:</strong> <code data-testid="predictions">${result.predictions}</code>
          </p>`
        : nothing
    }
    ${result.error !== undefined ? html`<div class="error-banner" data-testid="response-error">${result.error}</div>` : nothing}
    <pre class="snippet response-body" data-testid="response-body">${result.body}</pre>
  </section>`;
}

const BAR_HEIGHT = 18;
const LABEL_WIDTH = 120;
const BAR_WIDTH = 320;

/** A short load's distribution: the percentiles, the errors, and a bar per latency bucket. */
function loadResultView(result: LoadView) {
  const most = Math.max(1, ...result.buckets.map((bucket) => bucket.count));
  const height = result.buckets.length * (BAR_HEIGHT + 4);
  return html`<section data-testid="load-result">
    <h2>Load: ${result.requests} requests</h2>
    <p data-testid="load-summary">${result.summary}</p>
    <p>
      <span
        data-testid="load-errors"
        data-errors=${String(result.errors)}
        class=${result.errors > 0 ? "severity-error" : ""}
        >${result.errors} failed</span
      >${result.firstError ? html` <span class="muted">First error: ${result.firstError}</span>` : nothing}
    </p>
    <svg
      class="histogram"
      data-testid="latency-histogram"
      data-buckets=${String(result.buckets.length)}
      width=${LABEL_WIDTH + BAR_WIDTH + 60}
      height=${height}
      role="img"
      aria-label="Latency histogram"
    >
      ${result.buckets.map((bucket, index) => {
        const y = index * (BAR_HEIGHT + 4);
        const width = Math.max(bucket.count > 0 ? 2 : 0, Math.round((bucket.count / most) * BAR_WIDTH));
        return svg`<g data-testid="histogram-bar" data-count=${bucket.count}>
          <text class="bucket-label" x=${LABEL_WIDTH - 8} y=${y + BAR_HEIGHT - 5} text-anchor="end">${bucket.label}</text>
          <rect class="bar" x=${LABEL_WIDTH} y=${y} width=${width} height=${BAR_HEIGHT}></rect>
          <text class="bucket-count" x=${LABEL_WIDTH + width + 6} y=${y + BAR_HEIGHT - 5}>${bucket.count}</text>
        </g>`;
      })}
    </svg>
  </section>`;
}

function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

draw();
