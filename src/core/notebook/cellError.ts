import { ParityError } from "../errors";
import type { SourceCell } from "./types";

/** Where a problem sits in a notebook: the editor reveals `cell` and `line` (both 1-based). */
export interface CellPosition {
  index: number;
  id?: string;
  line: number;
}

/**
 * A ParityError that also carries the cell, so the editor can reveal it. The location reads
 * "train.ipynb cell 4, line 2"; for percent-format scripts it also has the file's own line.
 */
export class NotebookCellError extends ParityError {
  readonly cell: CellPosition;

  constructor(code: string, message: string, fix: string, file: string, cell: SourceCell, line: number) {
    const fileLine = cell.firstFileLine === undefined ? undefined : cell.firstFileLine + line - 1;
    super(code, message, {
      fix,
      location: { file, line: fileLine, field: `cell ${cell.index}, line ${line}` },
    });
    this.cell = { index: cell.index, id: cell.id, line };
  }
}
