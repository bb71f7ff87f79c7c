import type { KubernetesObject } from "@kubernetes/client-node";
import type { ParityError } from "../../core/errors";
import type { Disposable, Listener } from "../../core/events";

import type { InformerHealth } from "../../core/cluster/snapshot";

export type { InformerHealth };

export interface InformerChange<T> {
  type: "added" | "modified" | "deleted" | "synced";
  object?: T;
}

/** Objects are the API's JSON as sent (timestamps are strings), keyed by namespace/name. */
export interface Informer<T> {
  start(): void;
  stop(): void;
  items(): T[];
  get(namespace: string | undefined, name: string): T | undefined;
  readonly health: InformerHealth;
  /** Failed connection attempts in a row (0 while live). */
  readonly attempt: number;
  /** When the last event, bookmark or (re)opened watch was seen (ms since the epoch). */
  readonly lastActivity: number | undefined;
  /** Why the last attempt failed, as the user would be told. */
  readonly lastError: ParityError | undefined;
  onChange(listener: Listener<InformerChange<T>>): Disposable;
  onHealth(listener: Listener<InformerHealth>): Disposable;
}

export interface InformerResource {
  /** e.g. "/api/v1/namespaces/x/pods" or "/apis/batch/v1/jobs" */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerOptions {
  /** No event or bookmark for this long: health "stale" and the watch restarts. 90 s by default. */
  staleAfterMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Deadline for each page of the list; 60 s by default. */
  listTimeoutMs?: number;
  /**
   * Objects known from before (a view restored after a reload) and the resourceVersion they were
   * current at: the watch resumes from there without a list; a 410 lists again.
   */
  initial?: { items: KubernetesObject[]; resourceVersion: string };
}
