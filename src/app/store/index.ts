// The workload store: the one owner of the records under <workspace>/.parity/ (create, save
// atomically, list, read, follow logs, watch for changes). Every reader goes through here: the
// panels, `parity logs`, attach, the Runs view. It loads nothing heavy, so the extension's
// activation bundle may use it directly.
export { requestCancel, withdrawCancelRequest } from "./cancelRequest";
export { followerGone, lastFollower } from "./follower";
export { parseLogLine } from "./logLine";
export { LogTail, type LogTailListener, type LogTailOptions } from "./logTail";
export {
  asRunRef,
  runDir,
  runRefInWorkspace,
  runRefOfDir,
  workspaceOfRunDir,
  RUNS_DIR,
  type RunRef,
} from "./runRef";
export {
  awaitRecordedEnd,
  findRun,
  listRuns,
  listRunsBelow,
  newestRuns,
  newRunId,
  readRecord,
  readRecordNow,
  readRecordOf,
  readRunLogs,
  lastWrittenAt,
  RECORD_PATTERNS,
  removeRecord,
  RunRecorder,
  type StoredRun,
} from "./runStore";
export { abandonedRuns, wholesOf } from "./stale";
export { fileDigest, lookupStep, rememberStep, type CachedStep } from "./stepCache";
