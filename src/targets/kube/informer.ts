import { Watch, type KubernetesObject } from "@kubernetes/client-node";
import { ParityError } from "../../core/errors";
import { Emitter } from "../../core/events";
import { backoffDelay } from "./backoff";
import type { KubeConnection } from "./connection";
import { apiFailure, httpStatus } from "./kubeErrors";
import type {
  Informer,
  InformerChange,
  InformerHealth,
  InformerOptions,
  InformerResource,
} from "./informerTypes";
import { changesAfterList, keyOf } from "./informerCache";
import { listAll } from "./listAll";

export type {
  Informer,
  InformerChange,
  InformerHealth,
  InformerOptions,
  InformerResource,
} from "./informerTypes";

export function createInformer<T extends KubernetesObject>(
  conn: KubeConnection,
  resource: InformerResource,
  options: InformerOptions = {},
): Informer<T> {
  return new ListWatchInformer<T>(conn, resource, options);
}

/** One list-then-watch attempt; replaced (and aborted) on restart, so late callbacks are ignored. */
interface Session {
  controller: AbortController;
  opened: boolean;
}

class ListWatchInformer<T extends KubernetesObject> implements Informer<T> {
  private readonly cache = new Map<string, T>();
  private readonly changes = new Emitter<InformerChange<T>>();
  private readonly healthChanges = new Emitter<InformerHealth>();
  private state: InformerHealth = "stopped";
  /** undefined: the next session lists first. Opaque: only ever sent back, never compared. */
  private resourceVersion: string | undefined;
  /** Set by a list, cleared by the first watch event: a 410 right after a list is not re-listed at once. */
  private justListed = false;
  private session: Session | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private staleTimer: NodeJS.Timeout | undefined;
  attempt = 0;
  lastActivity: number | undefined;
  lastError: ParityError | undefined;

  constructor(
    private readonly conn: KubeConnection,
    private readonly resource: InformerResource,
    private readonly options: InformerOptions,
  ) {
    for (const item of options.initial?.items ?? []) this.cache.set(keyOf(item), item as T);
    this.resourceVersion = options.initial?.resourceVersion;
  }

  get health(): InformerHealth {
    return this.state;
  }

  readonly onChange = this.changes.event;
  readonly onHealth = this.healthChanges.event;

  items(): T[] {
    return [...this.cache.values()];
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(`${namespace ?? ""}/${name}`);
  }

  start(): void {
    if (this.state !== "stopped") return;
    this.setHealth("connecting");
    this.connect();
  }

  stop(): void {
    if (this.state === "stopped") return;
    this.endSession();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setHealth("stopped");
  }

  private connect(): void {
    const session: Session = { controller: new AbortController(), opened: false };
    this.session = session;
    this.run(session).catch((error: unknown) => this.failed(session, error));
  }

  private async run(session: Session): Promise<void> {
    if (this.resourceVersion === undefined) await this.relist(session);
    if (this.session !== session) return;
    const { path, labelSelector, fieldSelector } = this.resource;
    // A watch request that never answers is caught by the same deadline as a quiet one.
    this.armStaleTimer(session);
    const query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      labelSelector,
      fieldSelector,
    };
    const stream = await new Watch(this.conn.config).watch(
      path,
      query,
      (type: string, object: T) => this.onEvent(session, type, object),
      (error: unknown) => this.onClosed(session, error),
    );
    if (this.session !== session) return stream.abort();
    session.controller.signal.addEventListener("abort", () => stream.abort(), { once: true });
    this.opened(session);
  }

  private async relist(session: Session): Promise<void> {
    const { items, resourceVersion } = await listAll<T>(this.conn.config, this.resource.path, {
      ...this.resource,
      signal: session.controller.signal,
      timeoutMs: this.options.listTimeoutMs ?? 60_000,
    });
    if (this.session !== session) return;
    for (const change of changesAfterList(this.cache, items)) this.apply(change.type, change.object);
    this.resourceVersion = resourceVersion;
    this.justListed = true;
    this.changes.fire({ type: "synced" });
  }

  private opened(session: Session): void {
    session.opened = true;
    this.attempt = 0;
    this.lastError = undefined;
    this.noteActivity(session);
    this.setHealth("live");
  }

  private onEvent(session: Session, type: string, object: T): void {
    if (this.session !== session) return;
    if (type === "ERROR") {
      const status = object as { code?: number; message?: string };
      return status.code === 410
        ? this.resourceGone(session)
        : this.failed(
            session,
            Object.assign(new Error(status.message ?? "watch error"), { code: status.code }),
          );
    }
    this.noteActivity(session);
    this.justListed = false;
    const version = object.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (type === "ADDED") this.apply("added", object);
    else if (type === "MODIFIED") this.apply("modified", object);
    else if (type === "DELETED") this.apply("deleted", object);
    // BOOKMARK: only the resourceVersion moves.
  }

  private apply(type: "added" | "modified" | "deleted", object: T): void {
    if (type === "deleted") this.cache.delete(keyOf(object));
    else this.cache.set(keyOf(object), object);
    this.changes.fire({ type, object });
  }

  private onClosed(session: Session, error: unknown): void {
    if (this.session !== session) return;
    const status = (error as { statusCode?: unknown } | null)?.statusCode;
    if (status === 410) return this.resourceGone(session);
    this.failed(session, error ?? undefined);
  }

  /** The resourceVersion is too old to watch from (410 Gone): list again. */
  private resourceGone(session: Session): void {
    if (this.justListed)
      return this.failed(session, Object.assign(new Error("resource version too old"), { code: 410 }));
    this.resourceVersion = undefined;
    this.endSession();
    this.connect();
  }

  /** A failed attempt, or a closed stream (`error` undefined): try again after a jittered backoff. */
  private failed(session: Session, error: unknown): void {
    if (this.session !== session) return;
    const wasLive = session.opened && this.state === "live";
    this.endSession();
    if (httpStatus(error) === 410) this.resourceVersion = undefined;
    this.attempt += 1;
    if (error !== undefined) {
      const mapped = apiFailure(error, this.conn.target, `watch ${this.resource.path}`);
      this.lastError = mapped instanceof ParityError ? mapped : undefined;
    }
    // The apiserver ends every watch after its request timeout: a clean close of a live stream
    // is routine and reconnects without showing "reconnecting".
    if (!(wasLive && error === undefined && this.attempt === 1)) this.setHealth("reconnecting", true);
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.connect();
      },
      backoffDelay(this.attempt, this.options.backoff),
    );
  }

  private noteActivity(session: Session): void {
    this.lastActivity = Date.now();
    this.armStaleTimer(session);
  }

  private armStaleTimer(session: Session): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      if (this.session !== session) return;
      this.setHealth("stale");
      this.endSession();
      this.connect();
    }, this.options.staleAfterMs ?? 90_000);
  }

  private endSession(): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    const session = this.session;
    this.session = undefined;
    session?.controller.abort();
  }

  private setHealth(health: InformerHealth, refire = false): void {
    if (health === this.state && !refire) return;
    this.state = health;
    this.healthChanges.fire(health);
  }
}
