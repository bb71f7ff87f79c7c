/** A cell as read from a notebook or a percent-format script, before any translation. */
export interface SourceCell {
  /** 1-based position among all cells, as the editor shows them (markdown included). */
  index: number;
  /** nbformat 4.5+ cell id, when the notebook has one. */
  id?: string;
  kind: "code" | "markdown" | "raw";
  lines: string[];
  tags: string[];
  /** 1-based line of the cell's first source line in the file (percent-format scripts only). */
  firstFileLine?: number;
}

/** Where one line of the generated script came from. */
export interface LineOrigin {
  /** 1-based cell index among all cells. */
  cell: number;
  cellId?: string;
  /** 1-based line within the cell. */
  line: number;
  /** The cell's line as the user wrote it (a magic, not its translation). */
  code: string;
  /** 1-based line in the source file, for percent-format scripts. */
  fileLine?: number;
}

/** Element i describes script line i + 1; null for lines Parity added (header, helpers, markers). */
export type LineMap = (LineOrigin | null)[];

export type ParameterKind = "string" | "int" | "float" | "bool" | "none" | "other";

/** A top-level assignment in the cell tagged `parameters` (papermill's convention). */
export interface Parameter {
  name: string;
  /** The default value's Python source, e.g. `0.01` or `"adam"`. */
  defaultSource: string;
  kind: ParameterKind;
  cell: number;
  /** 1-based line within the cell. */
  line: number;
}

/** An override value, JSON-encoded into PARITY_PARAMETERS for the generated script. */
export type ParameterValue = string | number | boolean | null;

export interface NotebookJob {
  script: string;
  lineMap: LineMap;
  /**
   * `%pip install` / `!pip install` as lines of a requirements file, in first-seen order:
   * requirements, and options such as `-r extra.txt` (relative to the notebook's folder).
   */
  requirements: string[];
  parameters: Parameter[];
  /** Top-level module names the notebook imports (absolute imports only), sorted. */
  imports: string[];
  /** Number of cells of every kind. */
  cells: number;
}

export interface TracebackFrame {
  file: string;
  line: number;
  function?: string;
  /** The notebook line, when the frame is in the generated script at a line that maps to a cell. */
  origin?: LineOrigin;
}

export interface MappedTraceback {
  /** e.g. `ModuleNotFoundError`, `torch.cuda.OutOfMemoryError`. */
  exceptionType: string;
  message: string;
  /** The traceback's last line as Python printed it. */
  summary: string;
  /** Innermost frame in the generated script that maps to a notebook cell. */
  origin?: LineOrigin;
  frames: TracebackFrame[];
}

/** A line of generated Python and the 1-based cell line it came from (null: added by Parity). */
export interface OutputLine {
  text: string;
  line: number | null;
}
