/**
 * Typed messages between a panel's host and its webview. Each panel declares two maps
 * (message type → payload), one per direction, in src/protocol/<panel>.ts; both sides import it.
 * The webview says `ready` first; the host holds its posts until then.
 */
export type MessageMap = Record<string, unknown>;

export type Message<M extends MessageMap> = { [K in keyof M & string]: { type: K; payload: M[K] } }[keyof M &
  string];

export type Handlers<M extends MessageMap> = { [K in keyof M & string]: (payload: M[K]) => void };

/** What a validator makes of a payload: the typed payload, or undefined when it is malformed. */
export type Validators<M extends MessageMap> = {
  [K in keyof M & string]: (payload: unknown) => M[K] | undefined;
};

/** Every webview's first message; also sent again after the webview reloads. */
export const READY = "ready";

/**
 * Checks the envelope and the payload; returns the typed message, or undefined for anything
 * else (another extension's message, a stale webview, a bug).
 */
export function parseMessage<M extends MessageMap>(
  raw: unknown,
  validators: Validators<M>,
): Message<M> | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const { type, payload } = raw as { type?: unknown; payload?: unknown };
  if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(validators, type)) return undefined;
  const valid = validators[type as keyof M & string](payload);
  return valid === undefined ? undefined : ({ type, payload: valid } as Message<M>);
}

export function dispatch<M extends MessageMap>(message: Message<M>, handlers: Handlers<M>): void {
  (handlers[message.type] as (payload: unknown) => void)(message.payload);
}

/**
 * The host's end: typed `send`, posts held until the webview is ready (and again after it
 * reloads), malformed messages reported, not handled.
 */
export class HostMessenger<ToWebview extends MessageMap, FromWebview extends MessageMap> {
  private ready = false;
  private held: Array<Message<ToWebview>> = [];

  constructor(
    private readonly post: (message: Message<ToWebview>) => unknown,
    private readonly validators: Validators<FromWebview>,
    private readonly handlers: Handlers<FromWebview>,
    private readonly onMalformed: (raw: unknown) => void,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** Posts now (returning what the post returns, e.g. VS Code's delivery promise) or holds until ready. */
  send<K extends keyof ToWebview & string>(type: K, payload: ToWebview[K]): unknown {
    const message = { type, payload } as Message<ToWebview>;
    if (this.ready) return this.post(message);
    this.held.push(message);
    return undefined;
  }

  /** Replaces held messages of the same type: only the newest state matters before `ready`. */
  sendLatest<K extends keyof ToWebview & string>(type: K, payload: ToWebview[K]): unknown {
    if (!this.ready) this.held = this.held.filter((message) => message.type !== type);
    return this.send(type, payload);
  }

  receive(raw: unknown): void {
    const message = parseMessage(raw, this.validators);
    if (!message) {
      this.onMalformed(raw);
      return;
    }
    if (message.type === READY) {
      this.ready = true;
      const held = this.held;
      this.held = [];
      for (const each of held) this.post(each);
    }
    dispatch(message, this.handlers);
  }

  /** The webview is gone or reloading: hold posts again until it says ready. */
  unready(): void {
    this.ready = false;
  }
}

// Small validators shared by the protocols.
export const validate = {
  none: (payload: unknown): Record<string, never> | undefined =>
    payload === undefined || (typeof payload === "object" && payload !== null) ? {} : undefined,
  object: (payload: unknown): Record<string, unknown> | undefined =>
    typeof payload === "object" && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined,
  index: (value: unknown): number | undefined =>
    typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined,
  string: (value: unknown, maxLength = Number.MAX_SAFE_INTEGER): string | undefined =>
    typeof value === "string" && value.length <= maxLength ? value : undefined,
};
