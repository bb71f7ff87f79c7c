// Everything the extension does with Docker, the interpreter and the profile parser, bundled as
// dist/services.js and required on first use, so dist/extension.js stays small at activation.
export * from "./clusterHeavy";
export { findProfileFile } from "../core/profile";
export { attachClusterRun } from "../targets/kube/attachRun";
export { startLocalRun } from "../targets/docker/localRun";
export { followRunEvents, liveRunIds, stopRunContainers } from "../targets/docker/runEvents";
export { buildNotebook, checkParity, connect, draftProfile, prepareRun } from "../targets/session";
export { jobSpecFor } from "../targets/workspace";
