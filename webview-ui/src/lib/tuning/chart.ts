import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { TuningViewState } from "../../../../src/protocol/tuning";

/** The theme's colour of a CSS variable, for the canvas, which cannot read variables itself. */
function themeColour(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

const HEIGHT = 220;

/**
 * The objective per trial (a point each, in the order trials were asked for) and the best so far
 * (a stepped line), drawn by uPlot on a canvas. One chart per panel: new data replaces the old,
 * and the chart follows its container's width.
 */
export class ObjectiveChart {
  private plot?: uPlot;
  private key = "";
  /** The data drawn last: the page redraws every second while a trial runs, the chart only on a change. */
  private drawn = "";
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(readonly container: HTMLElement) {
    this.resize.observe(container);
  }

  update(chart: TuningViewState["chart"], objective: TuningViewState["objective"]): void {
    const data: uPlot.AlignedData = [chart.x, chart.objective, chart.bestSoFar];
    const key = `${objective.metric}\u0000${objective.type}`;
    const drawn = JSON.stringify(data);
    if (this.plot && this.key === key && this.drawn === drawn) return;
    this.drawn = drawn;
    if (!this.plot || this.key !== key) {
      this.plot?.destroy();
      this.key = key;
      this.plot = new uPlot(this.options(objective), data, this.container);
    } else {
      this.plot.setData(data);
    }
    this.container.dataset.points = String(chart.objective.filter((value) => value !== null).length);
  }

  private options(objective: TuningViewState["objective"]): uPlot.Options {
    const text = themeColour("--vscode-foreground", "#ccc");
    const grid = themeColour("--vscode-panel-border", "#444");
    const points = themeColour("--vscode-charts-blue", "#3794ff");
    const best = themeColour("--vscode-charts-green", "#89d185");
    const font = `${themeColour("--vscode-font-size", "12px")} ${themeColour("--vscode-font-family", "sans-serif")}`;
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font };
    return {
      width: this.width(),
      height: HEIGHT,
      scales: { x: { time: false } },
      cursor: { drag: { x: false, y: false } },
      axes: [
        { ...axis, label: "trial", labelFont: font, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
        { ...axis, label: objective.metric, labelFont: font, size: 60 },
      ],
      series: [
        { label: "trial" },
        {
          label: objective.metric,
          stroke: points,
          fill: points,
          width: 0,
          paths: () => null,
          points: { show: true, size: 8, stroke: points, fill: points },
        },
        {
          label: `best so far (${objective.type === "maximize" ? "highest" : "lowest"})`,
          stroke: best,
          width: 2,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: false },
        },
      ],
    };
  }

  private width(): number {
    return Math.max(240, Math.floor(this.container.clientWidth || 600));
  }

  private fit(): void {
    if (this.plot && this.plot.width !== this.width())
      this.plot.setSize({ width: this.width(), height: HEIGHT });
  }

  dispose(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }
}
