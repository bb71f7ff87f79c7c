export * from "./types";
export { buildParityReport } from "./buildParityReport";
export { basisLines, formatReport, matchSentence, summarizeReport, type FormatOptions } from "./formatReport";
export { resolveParityEdit, type EditResolution, type TextChange, type TextPosition } from "./edits";
