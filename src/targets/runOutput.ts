import type { Emitter } from "../core/events";
import type { LogLine, RunRecordWriter } from "../core/job/types";

/** Lines of output kept in memory to explain a failure (the full log is on disk). */
const TAIL_LINES = 200;

/**
 * A run's output as it arrives, for every target: each line goes to the run's log file and to
 * listeners, and the last lines stay in memory (all, stderr only, and per replica) for the diagnosis.
 */
export class RunOutput {
  private readonly all: string[] = [];
  private readonly errors: string[] = [];
  private readonly bySource = new Map<string, string[]>();

  constructor(
    private readonly recorder: RunRecordWriter,
    private readonly listeners: Emitter<LogLine>,
  ) {}

  /** A promise when the log file is behind: wait for it before adding more. */
  add(line: LogLine): void | Promise<void> {
    keep(this.all, line.text);
    if (line.stream === "stderr") keep(this.errors, line.text);
    if (line.source !== undefined) {
      const lines = this.bySource.get(line.source) ?? [];
      this.bySource.set(line.source, lines);
      keep(lines, line.text);
    }
    this.listeners.fire(line);
    return this.recorder.log(line);
  }

  /** The last lines of the run, or of one replica. */
  tail(source?: string): string[] {
    return source === undefined ? [...this.all] : [...(this.bySource.get(source) ?? [])];
  }

  stderrTail(): string[] {
    return [...this.errors];
  }
}

function keep(lines: string[], text: string): void {
  lines.push(text);
  if (lines.length > TAIL_LINES) lines.shift();
}
