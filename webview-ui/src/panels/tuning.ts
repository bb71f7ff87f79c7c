import { html, nothing, render, svg } from "lit";
import type {
  ApplyOutcome,
  ParameterAxisView,
  TrialRowView,
  TrialView,
  TuningFromWebview,
  TuningToWebview,
  TuningViewState,
} from "../../../src/protocol/tuning";
import { elapsedWords } from "../../../src/protocol/pipeline";
import "../lib/base.css";
import "../lib/tuning/tuning.css";
import "../lib/elements";
import { connectToHost } from "../lib/host";
import { actionLink } from "../lib/items";
import { ObjectiveChart } from "../lib/tuning/chart";
import { linePath, parallelLayout } from "../lib/tuning/parallel";
import { DEFAULT_SORT, metricKey, nextSort, paramKey, sortTrials, type TrialSort } from "../lib/tuning/sort";

interface Ui {
  sort: TrialSort;
}

let outcome: ApplyOutcome | undefined;
let applying = false;
let chart: ObjectiveChart | undefined;
/** Ticks once a second while a trial runs, so its duration moves; stopped otherwise. */
let ticker: ReturnType<typeof setInterval> | undefined;

const host = connectToHost<TuningToWebview, TuningFromWebview, Ui, TuningViewState>({
  state: (next) => {
    state = next;
    host.saveView(next);
    draw();
  },
  applied: (answer) => {
    outcome = answer;
    applying = false;
    draw();
  },
});
let state = host.lastView;
const saved = host.savedUi?.sort;
let sort: TrialSort =
  typeof saved?.key === "string" && typeof saved.descending === "boolean" ? saved : DEFAULT_SORT;

function draw(): void {
  render(view(state), document.getElementById("app")!);
  drawChart();
  const running = state?.live && state.trials.some((trial) => trial.status === "running");
  if (running && !ticker) ticker = setInterval(draw, 1000);
  if (!running && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

function drawChart(): void {
  const container = document.querySelector<HTMLElement>('[data-testid="objective-chart"]');
  if (!container || !state) {
    chart?.dispose();
    chart = undefined;
    return;
  }
  // A new element (the page drew the table without trials in between): a new chart in it.
  if (chart && chart.container !== container) {
    chart.dispose();
    chart = undefined;
  }
  chart ??= new ObjectiveChart(container);
  chart.update(state.chart, state.objective);
}

function setSort(key: string): void {
  sort = nextSort(sort, key);
  host.saveUi({ sort });
  draw();
}

function view(experiment: TuningViewState | undefined) {
  if (!experiment) return html`<p class="muted">Reading the experiment's record...</p>`;
  return html`
    <h1>Experiment: ${experiment.experimentName}</h1>
    <p>
      <span
        data-testid="experiment-status"
        data-status=${experiment.status}
        class="status status-${experiment.status}"
        >${experiment.statusLabel}</span
      >
      <span class="muted" data-testid="experiment-summary">${experiment.summary}</span>
      ${experiment.live ? html`<vscode-progress-ring class="inline-ring"></vscode-progress-ring>` : nothing}
    </p>
    ${experiment.error ? html`<div class="error-banner" role="alert">${experiment.error}</div>` : nothing}
    ${experiment.note ? html`<p class="muted" data-testid="experiment-note">${experiment.note}</p>` : nothing}
    ${experiment.algorithm ? header(experiment) : nothing}
    ${experiment.problems.map(
      (problem) =>
        html`<div class="item severity-border-error" data-testid="experiment-problem">
          <div class="message">${problem.message}</div>
          <div class="fix"><strong>Fix:</strong> ${problem.fix}</div>
        </div>`,
    )}
    ${experiment.trials.length > 0 ? body(experiment) : nothing}
  `;
}

function header(experiment: TuningViewState) {
  const { objective, best } = experiment;
  const goal = objective.goal !== undefined ? `, goal ${objective.goal}` : "";
  return html`
    <table class="facts compare">
      <tr>
        <th>Notebook</th>
        <td>${experiment.notebookName}</td>
      </tr>
      ${
        experiment.source
          ? html`<tr>
              <th>Experiment</th>
              <td>${experiment.source}</td>
            </tr>`
          : nothing
      }
      ${
        experiment.where
          ? html`<tr>
              <th>Runs on</th>
              <td data-testid="experiment-where">${experiment.where}</td>
            </tr>`
          : nothing
      }
      <tr>
        <th>Algorithm</th>
        <td data-testid="experiment-algorithm">${experiment.algorithm}</td>
      </tr>
      <tr>
        <th>Objective</th>
        <td data-testid="experiment-objective">${objective.type} ${objective.metric}${goal}</td>
      </tr>
      <tr>
        <th>Trials</th>
        <td>${experiment.limits}</td>
      </tr>
      ${
        experiment.reason
          ? html`<tr>
              <th>Ended</th>
              <td data-testid="experiment-reason">${experiment.reason}</td>
            </tr>`
          : nothing
      }
      <tr>
        <th>Best</th>
        <td data-testid="experiment-best">
          ${
            best
              ? `${best.trial}: ${objective.metric} = ${best.objective} with ${best.parameters.map(({ name, value }) => `${name} = ${value}`).join(", ")}`
              : "none yet"
          }
        </td>
      </tr>
    </table>
    ${experiment.notes.map((note) => html`<p class="muted" data-testid="experiment-note">Note: ${note}</p>`)}
    <div class="summary-row">
      <vscode-button
        data-testid="apply-best"
        ?disabled=${!best || applying}
        title=${best ? `Write ${best.trial}'s values into the notebook's parameters cell` : "No trial has reported its objective yet"}
        @click=${() => {
          if (!best || applying) return;
          applying = true;
          outcome = undefined;
          host.send("applyBest", {});
          draw();
        }}
        >Apply Best Parameters</vscode-button
      >
      ${applying ? html`<vscode-progress-ring class="inline-ring"></vscode-progress-ring>` : nothing}
    </div>
    ${
      outcome
        ? html`<p
            class="notice${outcome.ok ? "" : " severity-error"}"
            data-testid="apply-outcome"
            data-ok=${String(outcome.ok)}
          >
            ${outcome.message}
          </p>`
        : nothing
    }
  `;
}

function body(experiment: TuningViewState) {
  return html`
    <h2>Objective per trial</h2>
    <div class="chart" data-testid="objective-chart"></div>
    <h2>Parameters against ${experiment.objective.metric}</h2>
    ${parallelView(experiment)}
    <h2>Trials</h2>
    ${trialsTable(experiment)}
  `;
}

function parallelView(experiment: TuningViewState) {
  const width = Math.max(420, Math.min(1100, (document.body.clientWidth || 900) - 48));
  const layout = parallelLayout(experiment.parameters, experiment.trials, experiment.objective, width, 260);
  return html`<svg
    class="parallel"
    data-testid="parallel-coordinates"
    width=${layout.width}
    height=${layout.height}
    role="img"
    aria-label=${`Parameters of each trial against ${experiment.objective.metric}`}
  >
    ${layout.lines.map(
      (line) =>
        svg`<path class="trial-line${line.colour ? "" : " no-objective"}${line.best ? " best" : ""}" data-trial=${line.trial} d=${linePath(line.points)} stroke=${line.colour ?? "currentColor"}><title>${line.trial}</title></path>`,
    )}
    ${layout.axes.map(
      (axis) => svg`<g class="axis${axis.objective ? " objective" : ""}" data-axis=${axis.name}>
        <line x1=${axis.x} x2=${axis.x} y1=${layout.top} y2=${layout.bottom}></line>
        <text class="axis-name" x=${axis.x} y=${layout.top - 12} text-anchor="middle">${axis.name}</text>
        ${axis.ticks.map((tick) => svg`<text class="tick" x=${axis.x - 6} y=${tick.y + 4} text-anchor="end">${tick.label}</text>`)}
      </g>`,
    )}
  </svg>`;
}

function trialsTable(experiment: TuningViewState) {
  const rows = sortTrials(experiment.trials, sort, experiment.parameters);
  const columns: { key: string; label: string; numeric?: boolean }[] = [
    { key: "name", label: "Trial" },
    { key: "status", label: "Status" },
    ...experiment.parameters.map((axis) => ({
      key: paramKey(axis.name),
      label: axis.name,
      numeric: axis.kind === "numeric",
    })),
    { key: "objective", label: `${experiment.objective.metric} (objective)`, numeric: true },
    ...experiment.metrics
      .filter((metric) => metric !== experiment.objective.metric)
      .map((metric) => ({ key: metricKey(metric), label: metric, numeric: true })),
    { key: "duration", label: "Duration", numeric: true },
  ];
  return html`<div class="table-scroll">
    <table class="trials compare" data-testid="trials-table">
      <thead>
        <tr>
          ${columns.map((column) => {
            const sorted = sort.key === column.key;
            return html`<th
              class=${column.numeric ? "numeric" : ""}
              data-sort=${column.key}
              aria-sort=${sorted ? (sort.descending ? "descending" : "ascending") : "none"}
            >
              <button class="sort" data-testid="sort-column" @click=${() => setSort(column.key)}>
                ${column.label}${sorted ? (sort.descending ? " ▼" : " ▲") : ""}
              </button>
            </th>`;
          })}
          <th>Run</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((row) => trialRow(row, experiment))}
      </tbody>
    </table>
  </div>`;
}

function trialRow(row: TrialRowView, experiment: TuningViewState) {
  const open = (view: TrialView) => host.send("openTrial", { name: row.name, view });
  const duration =
    row.durationMs !== undefined
      ? formatSeconds(row.durationMs)
      : row.startedAt
        ? elapsedWords(Date.now() - Date.parse(row.startedAt))
        : "";
  return html`<tr
    data-testid="trial-row"
    data-trial=${row.name}
    data-status=${row.status}
    class="trial-${row.status}${row.best ? " best" : ""}"
  >
    <td>${row.name}${row.best ? html` <span class="best-mark" title="The best trial">★</span>` : nothing}</td>
    <td title=${row.reason ?? ""}>
      <span class="dot"></span
      >${row.statusLabel}${row.reason ? html`<div class="muted reason">${row.reason}</div>` : nothing}
    </td>
    ${experiment.parameters.map((axis) => parameterCell(axis, row.parameters[axis.name]))}
    <td class="numeric" data-testid="trial-objective">
      ${row.objective !== undefined ? String(row.objective) : ""}
    </td>
    ${experiment.metrics
      .filter((metric) => metric !== experiment.objective.metric)
      .map((metric) => {
        const value = row.metrics[metric];
        return html`<td
          class="numeric"
          title=${value ? `latest ${value.latest}, min ${value.min}, max ${value.max}` : ""}
        >
          ${value?.latest ?? ""}
        </td>`;
      })}
    <td class="numeric">${duration}</td>
    <td class="links">
      ${row.opens.includes("logs") ? actionLink("logs", () => open("logs"), "trial-logs") : nothing}
      ${row.opens.includes("diagnosis") ? actionLink("diagnosis", () => open("diagnosis"), "trial-diagnosis") : nothing}
    </td>
  </tr>`;
}

function parameterCell(axis: ParameterAxisView, value: string | undefined) {
  if (value === undefined) return html`<td></td>`;
  if (axis.kind !== "numeric") return html`<td>${value}</td>`;
  const number = Number(value);
  const short = String(Number(number.toPrecision(6)));
  return html`<td class="numeric" title=${value}>${short}</td>`;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : elapsedWords(ms);
}

// Redrawn when the panel changes width: the parallel coordinates follow it.
window.addEventListener("resize", () => draw());
draw();
