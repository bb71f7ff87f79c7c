export * from "./types";
export { parseProbeOutput } from "./parseProbeOutput";
