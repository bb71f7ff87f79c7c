/** Notebook → job conversion: pure functions on strings, no I/O. */
export { convertNotebook } from "./convert";
export { readCells } from "./readCells";
export { notebookDependencies, type NotebookDependencies } from "./dependencies";
export { encodeParameterOverrides, parseParameterOverrides, PARAMETERS_VARIABLE } from "./parameters";
export { mapTraceback, missingModule } from "./traceback";
export { NotebookCellError, type CellPosition } from "./cellError";
export type * from "./types";
