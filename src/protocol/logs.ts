import type { LogLine, RunStatus } from "../core/job/types";

export type { LogLine };
import { validate, type Validators } from "./messaging";

export type LogStream = LogLine["stream"];

/** Which lines are shown: both streams and every source unless narrowed. */
export interface LogFilter {
  streams: LogStream[];
  /** Sources (replicas, steps) to show; undefined shows every source. */
  sources?: string[];
}

export interface LogsRunInfo {
  runId: string;
  notebookName: string;
  status: RunStatus;
  /** Still producing output. */
  live: boolean;
}

/**
 * What a logs page draws the moment it loads, before the host answers: the run, and the lines it
 * showed last (a screen of them, saved by the page; none in the host's first page).
 */
export interface LogsViewState {
  run: LogsRunInfo;
  lines: LogLine[];
  /** How many lines the page held when it saved this. */
  lineCount: number;
}

/**
 * A page (re)loads: the host sends the log's end first (`end`), then, when lines come before it,
 * those from the log's start in order (`earlier`, the last batch `done`), while new lines follow
 * the end (`lines`). The page shows the end at once and the whole log, in its order, once loaded.
 */
export type LogsToWebview = {
  run: LogsRunInfo;
  /** The last lines of the log: they replace what the page shows; `earlier`: lines come before them. */
  end: { lines: LogLine[]; earlier: boolean };
  /** Lines before the end, from the log's start, in order; `done` with the last batch. */
  earlier: { lines: LogLine[]; done: boolean };
  /** New lines after those sent, in order; a batch is bounded in size. */
  lines: { lines: LogLine[] };
  /** The log was replaced (a rerun into the same folder): drop what is shown. */
  reset: Record<string, never>;
  /** A short confirmation or problem to show in the toolbar ("Copied 120 lines."). */
  notice: { message: string; error?: boolean };
};

export type LogsFromWebview = {
  ready: Record<string, never>;
  /** Copy the given text (the visible lines) to the clipboard. */
  copyVisible: { text: string; lines: number };
  /** Copy every recorded line that passes the filter. */
  copyAll: { filter: LogFilter };
  /** Save every recorded line that passes the filter to a file the user picks. */
  save: { filter: LogFilter };
};

/** The clipboard takes at most this much from the webview in one message. */
export const MAX_COPY_CHARS = 32 * 1024 * 1024;

function parseFilter(value: unknown): LogFilter | undefined {
  const object = validate.object(value);
  if (!object || !Array.isArray(object.streams)) return undefined;
  const streams = object.streams.filter(
    (stream): stream is LogStream => stream === "stdout" || stream === "stderr",
  );
  if (object.sources === undefined) return { streams };
  if (!Array.isArray(object.sources)) return undefined;
  return {
    streams,
    sources: object.sources.filter((source): source is string => typeof source === "string"),
  };
}

export const logsFromWebview: Validators<LogsFromWebview> = {
  ready: validate.none,
  copyVisible: (payload) => {
    const object = validate.object(payload);
    const text = validate.string(object?.text, MAX_COPY_CHARS);
    const lines = validate.index(object?.lines);
    return text === undefined || lines === undefined ? undefined : { text, lines };
  },
  copyAll: (payload) => {
    const filter = parseFilter(validate.object(payload)?.filter);
    return filter && { filter };
  },
  save: (payload) => {
    const filter = parseFilter(validate.object(payload)?.filter);
    return filter && { filter };
  },
};

export function passesFilter(line: Pick<LogLine, "stream" | "source">, filter: LogFilter): boolean {
  if (!filter.streams.includes(line.stream)) return false;
  return filter.sources === undefined || filter.sources.includes(line.source ?? "");
}
