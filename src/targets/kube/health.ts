import { isCancelled, type ParityError } from "../../core/errors";
import { Emitter, type Disposable, type Listener } from "../../core/events";
import type { KubeConnection } from "./connection";
import type { Informer, InformerHealth } from "./informer";
import { apiFailure } from "./kubeErrors";
import { getJson, KubeHttpError } from "./kubeRequest";

/** What ClusterHealth reads of an informer. */
export type HealthSource = Pick<
  Informer<unknown>,
  "health" | "attempt" | "lastActivity" | "lastError" | "onHealth"
>;

export interface HealthSummary {
  state: InformerHealth;
  /** "live", "stale: no update for 95 s", "reconnecting (attempt 3)": for the status bar and views. */
  sentence: string;
  /** Why the worst informer's last attempt failed, when it did. */
  error?: ParityError;
}

/** Worst first: one reconnecting or stale watch is what the user needs to know about. */
const severity: InformerHealth[] = ["reconnecting", "stale", "connecting", "live", "stopped"];

/** The worst of several informers' health; "stopped" when there are none. */
export function worstHealth(states: InformerHealth[]): InformerHealth {
  return severity.find((candidate) => states.includes(candidate)) ?? "stopped";
}

export function summarizeHealth(sources: Omit<HealthSource, "onHealth">[], now: number): HealthSummary {
  const state = worstHealth(sources.map((source) => source.health));
  const worst = sources.filter((source) => source.health === state);
  const error = worst.find((source) => source.lastError)?.lastError;
  const sentence = (() => {
    if (state === "reconnecting")
      return `reconnecting (attempt ${Math.max(1, ...worst.map((source) => source.attempt))})`;
    if (state !== "stale") return state;
    const heard = worst
      .map((source) => source.lastActivity)
      .filter((time): time is number => time !== undefined);
    if (heard.length === 0) return "stale";
    return `stale: no update for ${Math.max(0, Math.round((now - Math.min(...heard)) / 1000))} s`;
  })();
  return { state, sentence, ...(error ? { error } : {}) };
}

/** The informers of one connection as one health, with an event when it changes. */
export class ClusterHealth implements Disposable {
  private readonly sources = new Map<HealthSource, Disposable>();
  private readonly changes = new Emitter<HealthSummary>();
  private last = "";

  constructor(
    sources: HealthSource[] = [],
    private readonly now: () => number = Date.now,
  ) {
    for (const source of sources) this.add(source);
  }

  readonly onChange: (listener: Listener<HealthSummary>) => Disposable = this.changes.event;

  add(source: HealthSource): Disposable {
    this.sources.set(
      source,
      source.onHealth(() => this.changed()),
    );
    this.changed();
    return { dispose: () => this.remove(source) };
  }

  current(): HealthSummary {
    return summarizeHealth([...this.sources.keys()], this.now());
  }

  dispose(): void {
    for (const subscription of this.sources.values()) subscription.dispose();
    this.sources.clear();
    this.changes.dispose();
  }

  private remove(source: HealthSource): void {
    this.sources.get(source)?.dispose();
    this.sources.delete(source);
    this.changed();
  }

  private changed(): void {
    const summary = this.current();
    if (summary.sentence === this.last) return;
    this.last = summary.sentence;
    this.changes.fire(summary);
  }
}

/**
 * One cheap question to the API server (GET /version, which every user may ask): undefined when it
 * answered, with any HTTP status (401 and 403 still prove it is there), else why nobody answered.
 */
export async function probeServer(
  connection: KubeConnection,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ParityError | undefined> {
  try {
    await getJson(connection.config, "/version", options);
    return undefined;
  } catch (error) {
    if (error instanceof KubeHttpError || isCancelled(error)) return undefined;
    // apiFailure gives a ParityError for anything but a cancel, handled above.
    return apiFailure(error, connection.target, "answer GET /version") as ParityError;
  }
}
