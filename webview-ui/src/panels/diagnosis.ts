import { html, nothing, render } from "lit";
import {
  timelineRows,
  type DiagnosisFromWebview,
  type DiagnosisItemView,
  type DiagnosisToWebview,
  type DiagnosisViewState,
  type TimelineRowView,
} from "../../../src/protocol/diagnosis";
import "../lib/base.css";
import "../lib/elements";
import { connectToHost } from "../lib/host";
import { actionLink, itemCard } from "../lib/items";

const host = connectToHost<DiagnosisToWebview, DiagnosisFromWebview, undefined, DiagnosisViewState>({
  state: (next) => {
    state = next;
    host.saveView(next);
    draw();
  },
});
let state = host.lastView;

function draw(): void {
  render(view(state), document.getElementById("app")!);
}

function view(diagnosis: DiagnosisViewState | undefined) {
  if (!diagnosis) return html`<p class="muted">Reading the run's record...</p>`;
  return html`
    <h1>Diagnosis: ${diagnosis.notebookName}</h1>
    <p>
      <span data-testid="run-status" data-status=${diagnosis.status} class="status status-${diagnosis.status}"
        >${diagnosis.statusLabel}</span
      >
      ${diagnosis.live ? html`<vscode-progress-ring class="inline-ring"></vscode-progress-ring>` : nothing}
    </p>
    <p class="headline" data-testid="run-headline">${diagnosis.headline}</p>
    ${diagnosis.error ? html`<div class="error-banner" role="alert">${diagnosis.error}</div>` : nothing}
    ${
      diagnosis.items.length > 0
        ? html`<h2>What happened</h2>
            ${diagnosis.items.map(itemView)}`
        : nothing
    }
    ${timelineView(timelineRows(diagnosis.timeline))}
    ${
      diagnosis.facts.length > 0
        ? html`<h2>Run</h2>
            <table class="compare facts">
              <tbody>
                ${diagnosis.facts.map(
                  (fact) =>
                    html`<tr>
                      <th>${fact.label}</th>
                      <td class="mono">${fact.value}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
        : nothing
    }
  `;
}

/** A cluster run's events, oldest first; warnings stand out. Every field is text, never markup. */
function timelineView(rows: TimelineRowView[] | undefined) {
  if (!rows) return nothing;
  return html`<h2>Timeline</h2>
    ${
      rows.length === 0
        ? html`<p class="muted" data-testid="timeline-empty">No events recorded yet.</p>`
        : html`<table class="compare timeline" data-testid="timeline">
            <tbody>
              ${rows.map(
                (row) =>
                  html`<tr
                    class=${row.type === "Warning" ? "timeline-warning" : "timeline-normal"}
                    data-testid="timeline-row"
                    data-type=${row.type}
                    data-reason=${row.reason}
                  >
                    <td class="mono" title=${row.time}>${clock(row.time)}</td>
                    <td class="mono">${row.object}</td>
                    <td>
                      ${row.type === "Warning" ? html`<span class="severity severity-warning">Warning</span>` : nothing}<strong>${row.reason}</strong>${row.count ? html` <span class="muted">×${row.count}</span>` : nothing}
                    </td>
                    <td>${row.message}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

/** "08:15:02" in the viewer's time zone; the ISO time is the cell's tooltip. */
function clock(time: string): string {
  return new Date(time).toLocaleTimeString(undefined, { hour12: false });
}

function itemView(item: DiagnosisItemView, index: number) {
  return itemCard(
    "diagnosis-item",
    item,
    item.snippet
      ? html`<pre class="snippet" data-testid="fix-snippet"><code>${item.snippet}</code></pre>
          <div class="actions">
            <vscode-button
              secondary
              data-testid="copy-snippet"
              @click=${() => host.send("copySnippet", { index })}
              >Copy</vscode-button
            >
            ${
              item.applicable
                ? html`<vscode-button
                    data-testid="apply-snippet"
                    @click=${() => host.send("applySnippet", { index })}
                    >Add to parity.yaml</vscode-button
                  >`
                : nothing
            }
          </div>`
      : nothing,
    item.location
      ? html`<div class="actions">
          ${
            item.openable
              ? actionLink(`Open ${item.location}`, () => host.send("openLocation", { index }), "open-cell")
              : html`<span class="muted">${item.location}</span>`
          }
        </div>`
      : nothing,
  );
}

draw();
