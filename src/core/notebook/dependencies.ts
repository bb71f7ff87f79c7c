import { NotebookCellError } from "./cellError";
import { convertNotebook } from "./convert";
import { collectImportPaths } from "./importPaths";
import { parsePipCommand, pipArguments } from "./pip";
import { readCells } from "./readCells";

export interface NotebookDependencies {
  /** What the notebook imports, as dotted paths ("sklearn.linear_model.Ridge"), sorted. */
  imports: string[];
  /** Lines of a requirements file from its `%pip install` lines. */
  pipRequirements: string[];
}

/** A line IPython runs itself (`%time`, `!ls`) rather than Python. */
const MAGIC_OR_SHELL = /^\s*[%!]/;

/**
 * What a notebook needs installed, for drafting its profile. A notebook that Parity cannot run
 * as it is (a refused magic such as %run) still has its imports read, from its code cells without
 * their magic and shell lines, and its `%pip install` lines, so that what they install is not
 * drafted a second time.
 */
export function notebookDependencies(text: string, fileName: string): NotebookDependencies {
  try {
    const job = convertNotebook(text, fileName);
    const code = job.script.split("\n").filter((_, i) => job.lineMap[i] !== null);
    return { imports: collectImportPaths(code), pipRequirements: job.requirements };
  } catch (error) {
    if (!(error instanceof NotebookCellError)) throw error;
    return readWithoutConverting(text, fileName);
  }
}

function readWithoutConverting(text: string, fileName: string): NotebookDependencies {
  const code: string[] = [];
  const pipRequirements: string[] = [];
  for (const cell of readCells(text, fileName)) {
    if (cell.kind !== "code" || /^\s*%%/.test(cell.lines[0] ?? "")) continue;
    for (const line of cell.lines) {
      const magic = MAGIC_OR_SHELL.test(line);
      code.push(magic ? "" : line);
      if (magic) pipRequirements.push(...pipInstallLines(line.trim()));
    }
  }
  return { imports: collectImportPaths(code), pipRequirements };
}

/** `%pip install ...` or `!pip install ...` as requirement lines; nothing for any other line. */
function pipInstallLines(statement: string): string[] {
  const args = /^%pip(?=\s|$)/.test(statement)
    ? statement.slice("%pip".length)
    : statement.startsWith("!")
      ? pipArguments(statement.replace(/^!!?/, ""))
      : undefined;
  if (args === undefined) return [];
  const pip = parsePipCommand(args);
  return pip.kind === "install" ? pip.lines : [];
}
