/**
 * A failure the user can act on: what happened, where (file, field, line) and what to do next.
 * Every layer throws these for expected failures; the CLI and the extension's error boundary
 * print them as sentences, never as stack traces.
 */
export interface ErrorLocation {
  file?: string;
  /** JSON-pointer-like path of the offending field, e.g. "resources.memory". */
  field?: string;
  /** 1-based line in `file`. */
  line?: number;
}

/**
 * The extension's bundles (dist/extension.js, dist/app.js, ...) each hold a copy of this module, so
 * an error thrown in one is not an instance of another's class. These errors carry a brand
 * (a global symbol) that `instanceof` checks instead.
 */
const PARITY_ERROR = Symbol.for("parity.ParityError");
const CANCELLED = Symbol.for("parity.CancelledError");

function branded(value: unknown, brand: symbol): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

export class ParityError extends Error {
  /** Any ParityError, whichever bundle made it; subclasses check their own prototype chain. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ParityError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return branded(value, PARITY_ERROR);
  }

  readonly fix?: string;
  readonly location?: ErrorLocation;
  /** Further problems of the same kind (e.g. every schema error of a profile). */
  readonly details: ParityError[];
  readonly code: string;
  /**
   * A condition outside Parity that may change while the user looks (an engine not started yet, a
   * socket not there): the same command, tried again, may well succeed, so a front end offers Retry.
   * Only for errors thrown before the command did anything (wrote a file, started a run): Retry
   * runs the whole command again. Not for what only the user can change (a group, a setting).
   */
  readonly retryable: boolean;

  constructor(
    code: string,
    message: string,
    options: {
      fix?: string;
      location?: ErrorLocation;
      details?: ParityError[];
      cause?: unknown;
      retryable?: boolean;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ParityError";
    this.code = code;
    this.fix = options.fix;
    this.location = options.location;
    this.details = options.details ?? [];
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, PARITY_ERROR, { value: true });
  }
}

/** Thrown when the user cancelled; the UI stays silent about it. */
export class CancelledError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, CANCELLED);
  }

  constructor(message = "Cancelled.") {
    super(message);
    this.name = "CancelledError";
    Object.defineProperty(this, CANCELLED, { value: true });
  }
}

export function isCancelled(error: unknown): boolean {
  return error instanceof CancelledError || (error instanceof Error && error.name === "AbortError");
}

/** "file:line field: message" — the prefix a user needs to find the problem. */
export function formatLocation(location: ErrorLocation | undefined): string {
  if (!location) return "";
  const place = [location.file, location.line].filter((part) => part !== undefined).join(":");
  const field = location.field ? `${place ? " " : ""}${location.field}` : "";
  return place || field ? `${place}${field}: ` : "";
}

export function describeError(error: ParityError): string {
  const [only, ...more] = error.details;
  if (only && more.length === 0) {
    // One problem: it is the headline, with its own location and fix.
    const fix = only.fix ?? error.fix;
    return [
      `${formatLocation(only.location ?? error.location)}${only.message}`,
      ...(fix ? [`  Fix: ${fix}`] : []),
    ].join("\n");
  }
  const lines = [`${formatLocation(error.location)}${error.message}`];
  for (const detail of error.details) {
    lines.push(`  ${formatLocation(detail.location)}${detail.message}`);
    if (detail.fix) lines.push(`    Fix: ${detail.fix}`);
  }
  if (error.fix && !error.details.some((detail) => detail.fix)) lines.push(`  Fix: ${error.fix}`);
  return lines.join("\n");
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
