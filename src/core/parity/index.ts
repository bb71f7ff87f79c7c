export * from "./types";
export { buildParityReport } from "./buildParityReport";
export { formatReport, summarizeReport, type FormatOptions } from "./formatReport";
