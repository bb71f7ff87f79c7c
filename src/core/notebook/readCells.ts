import { ParityError } from "../errors";
import { jsonErrorLine } from "./jsonPosition";
import type { SourceCell } from "./types";

/** Cells of a `.ipynb` (nbformat 4) or of a `.py` script, where `# %%` lines start cells. */
export function readCells(text: string, fileName: string): SourceCell[] {
  return /\.py$/i.test(fileName) ? readPercentScript(text) : readNotebook(text, fileName);
}

export function splitLines(source: string): string[] {
  const lines = source.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

interface RawCell {
  cell_type?: unknown;
  id?: unknown;
  source?: unknown;
  metadata?: { tags?: unknown };
}

function readNotebook(text: string, fileName: string): SourceCell[] {
  let notebook: { nbformat?: unknown; cells?: unknown; metadata?: Record<string, unknown> };
  try {
    // Outputs (most of a big notebook's size) are parsed by the engine but never walked.
    notebook = JSON.parse(text) as typeof notebook;
  } catch (error) {
    throw new ParityError(
      "NotebookInvalidJson",
      `${fileName} is not valid JSON, so it cannot be read as a notebook.`,
      {
        fix: "Open the notebook in Jupyter or VS Code and save it again, or fix the JSON at the reported line.",
        location: { file: fileName, line: jsonErrorLine(text, error) },
        cause: error,
      },
    );
  }
  if (
    typeof notebook !== "object" ||
    notebook === null ||
    notebook.nbformat !== 4 ||
    !Array.isArray(notebook.cells)
  ) {
    const version = typeof notebook === "object" && notebook !== null ? notebook.nbformat : undefined;
    throw new ParityError(
      "NotebookUnsupportedFormat",
      version === undefined
        ? `${fileName} is not a Jupyter notebook (it has no nbformat version).`
        : `${fileName} is a version ${String(version)} notebook; Parity reads nbformat 4 notebooks.`,
      {
        fix: "Save it from a current Jupyter or VS Code, or run `jupyter nbconvert --to notebook --nbformat 4` on it.",
        location: { file: fileName },
      },
    );
  }
  checkLanguage(notebook.metadata, fileName);
  return (notebook.cells as RawCell[]).map((raw, position) => toSourceCell(raw, position + 1, fileName));
}

function checkLanguage(metadata: Record<string, unknown> | undefined, fileName: string): void {
  const kernel = metadata?.kernelspec as { language?: unknown } | undefined;
  const info = metadata?.language_info as { name?: unknown } | undefined;
  const language = kernel?.language ?? info?.name;
  if (typeof language === "string" && language.toLowerCase() !== "python") {
    throw new ParityError(
      "NotebookNotPython",
      `${fileName} has a kernel for ${language}; Parity runs Python notebooks.`,
      {
        fix: "Use a notebook with a Python kernel.",
        location: { file: fileName, field: "metadata.kernelspec.language" },
      },
    );
  }
}

function toSourceCell(raw: RawCell, index: number, fileName: string): SourceCell {
  const source = raw?.source;
  const kind = raw?.cell_type;
  if (
    (kind !== "code" && kind !== "markdown" && kind !== "raw") ||
    (typeof source !== "string" && !isStrings(source))
  ) {
    throw new ParityError(
      "NotebookInvalidCell",
      `${fileName} cell ${index} is not a valid nbformat 4 cell.`,
      {
        fix: "Open the notebook in Jupyter or VS Code and save it again.",
        location: { file: fileName, field: `cells[${index - 1}]` },
      },
    );
  }
  const tags = raw.metadata?.tags;
  return {
    index,
    id: typeof raw.id === "string" ? raw.id : undefined,
    kind,
    lines: splitLines(typeof source === "string" ? source : source.join("")),
    tags: isStrings(tags) ? tags : [],
  };
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** `# %%`, `#%%`, `# %% [markdown]`, `# %% Title tags=["parameters"]` (VS Code, Spyder, jupytext). */
const CELL_MARKER = /^#\s*%%(?!%)(.*)$/;

function readPercentScript(text: string): SourceCell[] {
  const cells: SourceCell[] = [];
  let current: SourceCell | undefined;
  splitLines(text).forEach((line, offset) => {
    const marker = CELL_MARKER.exec(line);
    if (!marker && current) return void current.lines.push(line);
    current = {
      index: cells.length + 1,
      kind: marker && /^\s*\[(markdown|md)\]/.test(marker[1] ?? "") ? "markdown" : "code",
      lines: marker ? [] : [line],
      tags: marker ? markerTags(marker[1] ?? "") : [],
      firstFileLine: marker ? offset + 2 : offset + 1,
    };
    cells.push(current);
  });
  // Code before the first marker that is only blank lines is not a cell the user sees.
  const first = cells[0];
  if (first && cells.length > 1 && first.firstFileLine === 1 && first.lines.every((line) => !line.trim())) {
    cells.shift();
    cells.forEach((cell, position) => (cell.index = position + 1));
  }
  return cells;
}

function markerTags(rest: string): string[] {
  const tags = /tags\s*=\s*(\[[^\]]*\])/.exec(rest);
  if (!tags?.[1]) return [];
  try {
    const parsed: unknown = JSON.parse(tags[1].replace(/'/g, '"'));
    return isStrings(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
