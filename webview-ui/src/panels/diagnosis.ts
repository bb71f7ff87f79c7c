import { html, nothing, render } from "lit";
import type {
  DiagnosisFromWebview,
  DiagnosisItemView,
  DiagnosisToWebview,
  DiagnosisViewState,
} from "../../../src/protocol/diagnosis";
import "../lib/base.css";
import "../lib/elements";
import { connectToHost, initialState } from "../lib/host";
import { actionLink, itemCard } from "../lib/items";

let state = initialState<DiagnosisViewState>();

const host = connectToHost<DiagnosisToWebview, DiagnosisFromWebview, undefined>({
  state: (next) => {
    state = next;
    draw();
  },
});

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

function itemView(item: DiagnosisItemView, index: number) {
  return itemCard(
    "diagnosis-item",
    item,
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
