import { html, nothing, render } from "lit";
import type {
  ComparisonSection,
  ReportFromWebview,
  ReportItemView,
  ReportToWebview,
  ReportViewState,
} from "../../../src/protocol/report";
import "../lib/base.css";
import "../lib/elements";
import { connectToHost } from "../lib/host";
import { actionLink, itemCard } from "../lib/items";
import { answered, applying, itemsChanged, NO_OUTCOMES, type FixOutcomes } from "../lib/report/fixOutcomes";

/** Apply requests waiting for their answer: request id → item index. */
const pending = new Map<number, number>();
/** The answers to apply requests: a success under the summary, a refusal under its item. */
let outcomes: FixOutcomes = NO_OUTCOMES;
let nextRequestId = 1;
const host = connectToHost<ReportToWebview, ReportFromWebview, undefined, ReportViewState>({
  state: (next) => {
    if (state && JSON.stringify(next.items) !== JSON.stringify(state.items))
      outcomes = itemsChanged(outcomes);
    state = next;
    host.saveView(next);
    draw();
  },
  applied: ({ requestId, ok, message }) => {
    const index = pending.get(requestId);
    pending.delete(requestId);
    outcomes = answered(outcomes, index, { ok, message });
    draw();
  },
});

let state = host.lastView;

function apply(index: number): void {
  const requestId = nextRequestId++;
  pending.set(requestId, index);
  outcomes = applying(outcomes, index);
  host.send("applyFix", { requestId, index });
  draw();
}

function draw(): void {
  render(view(state), document.getElementById("app")!);
}

function view(report: ReportViewState | undefined) {
  if (!report) return html`<p class="muted">Loading the parity report...</p>`;
  const counts = report.counts;
  return html`
    <h1>Parity report: ${report.notebookName}</h1>
    <p class="muted">
      ${report.profileName ? html`Profile ${report.profileName}` : "Default profile"}
      ${report.imageTag ? html` · image <code>${report.imageTag}</code>` : nothing}
    </p>
    <div class="summary-row">
      <span data-testid="report-summary" class="summary">${report.summary}</span>
      ${counts.errors > 0 ? html`<vscode-badge variant="counter" title="errors">${counts.errors}</vscode-badge>` : nothing}
      <vscode-button secondary @click=${() => host.send("refresh", {})} ?disabled=${!!report.busy}
        >Check Again</vscode-button
      >
    </div>
    ${
      report.busy
        ? html`<div class="busy" role="status">
            <vscode-progress-ring></vscode-progress-ring>${report.busy}
          </div>`
        : nothing
    }
    ${report.error ? html`<div class="error-banner" role="alert">${report.error}</div>` : nothing}
    ${
      outcomes.notice
        ? html`<p
            data-testid="report-notice"
            role="status"
            class=${outcomes.notice.ok ? "notice" : "notice severity-error"}
          >
            ${outcomes.notice.message}
          </p>`
        : nothing
    }
    ${report.verdict ? html`<p data-testid="report-verdict">${report.verdict}</p>` : nothing}
    ${
      report.basis.length > 0
        ? html`<ul class="basis muted" data-testid="report-basis">
            ${report.basis.map((line) => html`<li>${line}</li>`)}
          </ul>`
        : nothing
    }
    ${
      report.items.length > 0
        ? html`<h2>Differences</h2>
            ${report.items.map((item, index) => itemView(item, index, !!report.busy))}`
        : nothing
    }
    <h2>Side by side</h2>
    ${report.sections.map((section) => sectionView(section, report))}
  `;
}

function itemView(item: ReportItemView, index: number, busy: boolean) {
  const applying = [...pending.values()].includes(index);
  const refusal = outcomes.refused.get(index);
  return itemCard(
    "report-item",
    item,
    html`<div class="actions">
      ${
        item.applyTitle
          ? html`<vscode-button
              data-testid="apply-fix"
              ?disabled=${applying || busy}
              @click=${() => apply(index)}
              >${applying ? "Applying..." : item.applyTitle}</vscode-button
            >`
          : nothing
      }
      ${item.location ? actionLink(item.location, () => host.send("openLocation", { index })) : nothing}
    </div>`,
    refusal
      ? html`<p class="item-outcome severity-error" data-testid="fix-refused" role="status">${refusal}</p>`
      : nothing,
  );
}

function sectionView(section: ComparisonSection, report: ReportViewState) {
  return html`
    <vscode-collapsible heading=${section.title} ?open=${!section.folded}>
      <table class="compare">
        <thead>
          <tr>
            <th></th>
            <th title=${report.localSource ?? ""}>Your notebook</th>
            <th title=${report.productionSource ?? ""}>Production</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          ${section.rows.map(
            (row) =>
              html`<tr class=${row.differs ? "differs" : ""}>
                <td>${row.label}</td>
                <td class="mono">${row.local}</td>
                <td class="mono">${row.production}</td>
                <td class="muted">${row.checked ? row.source : `${row.source} · not compared`}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </vscode-collapsible>
  `;
}

draw();
