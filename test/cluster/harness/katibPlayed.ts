import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

/**
 * The parts of a Katib install that kwok cannot run, played on loopback for the real
 * katib-controller (see katibController.ts):
 *
 * - one gRPC server with Katib's own API (`api.v1.beta1`, the module's api.proto): the suggestion
 *   service (`Suggestion`: deterministic assignments), the DB manager (`DBManager`: observation
 *   logs in memory) and early stopping (`EarlyStopping`: no rules);
 * - an HTTP CONNECT proxy, the controller's HTTPS_PROXY: gRPC-Go hands it the in-cluster names it
 *   dials unresolved (`<suggestion>-<algorithm>.<namespace>:6789`, `katib-db-manager.kubeflow:6789`,
 *   `:6788` for early stopping), and it sends each to the gRPC server.
 *
 * The vitest global setup of the cluster project runs them (in its own process, for every suite),
 * and the tests reach the DB manager with the same RPCs as Katib's metrics collector (katib.ts).
 */

/** Katib's gRPC API as grpc-js loads it: the services' definitions and a client of each. */
export interface KatibApi {
  Suggestion: grpc.ServiceClientConstructor;
  DBManager: grpc.ServiceClientConstructor;
  EarlyStopping: grpc.ServiceClientConstructor;
}

/** Loads api.proto with field names as in the .proto (snake_case) and enums as their names. */
export function loadKatibApi(protoFile: string): KatibApi {
  const definition = protoLoader.loadSync(protoFile, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    api: { v1: { beta1: KatibApi } };
  };
  return root.api.v1.beta1;
}

/** One metric value of a trial as the DB manager stores it (`MetricLog`). */
export interface MetricLog {
  time_stamp: string;
  metric: { name: string; value: string };
}

interface ParameterSpec {
  name: string;
  parameter_type: string;
  feasible_space?: { min?: string; max?: string; list?: string[]; step?: string };
}

interface GetSuggestionsRequest {
  experiment?: { name: string; spec?: { parameter_specs?: { parameters?: ParameterSpec[] } } };
  current_request_number: number;
  total_request_number: number;
}

/** The first primes: one base of the Halton sequence per parameter. */
const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71];

/** The index-th point of the van der Corput sequence in `base`, in (0, 1) for index ≥ 1. */
function radicalInverse(index: number, base: number): number {
  let result = 0;
  let fraction = 1 / base;
  for (let rest = index; rest > 0; rest = Math.floor(rest / base)) {
    result += (rest % base) * fraction;
    fraction /= base;
  }
  return result;
}

/** A number as Katib's suggestion services hand them on: plain decimal text. */
const decimal = (value: number) => String(Number(value.toPrecision(6)));

/**
 * The played algorithm: the `index`-th suggestion of an experiment (0 for its first trial) is a
 * point of a Halton sequence (one prime base per parameter) mapped into each parameter's feasible
 * space: a double or int between min and max (on the grid of `step` when it has one), a
 * categorical or discrete value from its list. Deterministic, within bounds, and different for
 * each trial; a test reads the values from each Trial's `spec.parameterAssignments`.
 */
export function playedAssignment(
  parameters: ParameterSpec[],
  index: number,
): { name: string; value: string }[] {
  return parameters.map((parameter, position) => {
    const point = radicalInverse(index + 1, PRIMES[position % PRIMES.length]!);
    const space = parameter.feasible_space ?? {};
    const list = space.list ?? [];
    const min = Number(space.min);
    const max = Number(space.max);
    const step = Number(space.step);
    let value: string;
    if (parameter.parameter_type === "CATEGORICAL" || parameter.parameter_type === "DISCRETE") {
      value = list[Math.floor(point * list.length)] ?? "";
    } else if (step > 0) {
      const steps = Math.floor((max - min) / step + 1e-9);
      value = decimal(min + step * Math.min(steps, Math.floor(point * (steps + 1))));
    } else if (parameter.parameter_type === "INT") {
      value = String(Math.min(max, Math.floor(min + point * (max - min + 1))));
    } else {
      value = decimal(min + point * (max - min));
    }
    return { name: parameter.name, value };
  });
}

/** Go's RFC3339Nano of a time given in RFC 3339 (UTC, no trailing zeros), or undefined if invalid. */
function rfc3339(text: string): { text: string; at: number } | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(text);
  if (!match) return undefined;
  const at = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(at)) return undefined;
  // MySQL keeps microseconds (Katib's DB manager stores DATETIME(6)).
  const micros = (match[2] ?? "").slice(0, 6).padEnd(6, "0");
  const whole = new Date(at).toISOString().slice(0, 19);
  const fraction = micros.replace(/0+$/, "");
  return { text: `${whole}${fraction ? `.${fraction}` : ""}Z`, at: at * 1000 + Number(micros) };
}

/** The played gRPC server: Suggestion, DBManager and EarlyStopping of api.v1.beta1. */
export class PlayedKatibServer {
  /** Trial name → its observation log (what Katib's MySQL table holds). */
  readonly observations = new Map<string, (MetricLog & { at: number })[]>();
  private constructor(
    private readonly server: grpc.Server,
    public readonly port: number,
  ) {}

  static async start(protoFile: string): Promise<PlayedKatibServer> {
    const api = loadKatibApi(protoFile);
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const played = new PlayedKatibServer(server, port);
    played.serve(api);
    return played;
  }

  private serve(api: KatibApi): void {
    const observations = this.observations;
    type Call<T> = grpc.ServerUnaryCall<T, unknown>;
    type Done = grpc.sendUnaryData<unknown>;
    this.server.addService(api.Suggestion.service, {
      GetSuggestions(call: Call<GetSuggestionsRequest>, done: Done) {
        const request = call.request;
        const parameters = request.experiment?.spec?.parameter_specs?.parameters ?? [];
        // Stateless: the controller says how many it has asked for so far, this one included.
        const first = request.total_request_number - request.current_request_number;
        const parameter_assignments = Array.from({ length: request.current_request_number }, (_, k) => ({
          assignments: playedAssignment(parameters, first + k),
        }));
        done(null, { parameter_assignments });
      },
      ValidateAlgorithmSettings(_call: Call<unknown>, done: Done) {
        done(null, {});
      },
    });
    this.server.addService(api.DBManager.service, {
      ReportObservationLog(
        call: Call<{ trial_name: string; observation_log?: { metric_logs?: MetricLog[] } }>,
        done: Done,
      ) {
        const { trial_name, observation_log } = call.request;
        const added: (MetricLog & { at: number })[] = [];
        // As Katib's MySQL DB manager: a log without a time is skipped, a bad time refuses all.
        for (const log of observation_log?.metric_logs ?? []) {
          if (!log.time_stamp) continue;
          const time = rfc3339(log.time_stamp);
          if (!time) {
            return done({
              code: grpc.status.UNKNOWN,
              details: `Error parsing start time ${log.time_stamp}: not RFC 3339`,
            });
          }
          const metric = { name: log.metric?.name ?? "", value: log.metric?.value ?? "" };
          added.push({ time_stamp: time.text, metric, at: time.at });
        }
        observations.set(trial_name, [...(observations.get(trial_name) ?? []), ...added]);
        done(null, {});
      },
      GetObservationLog(
        call: Call<{ trial_name: string; metric_name: string; start_time: string; end_time: string }>,
        done: Done,
      ) {
        const { trial_name, metric_name, start_time, end_time } = call.request;
        const start = start_time ? rfc3339(start_time)?.at : undefined;
        const end = end_time ? rfc3339(end_time)?.at : undefined;
        const logs = (observations.get(trial_name) ?? [])
          .filter((log) => !metric_name || log.metric.name === metric_name)
          .filter((log) => (start === undefined || log.at >= start) && (end === undefined || log.at <= end))
          .sort((a, b) => a.at - b.at)
          .map(({ time_stamp, metric }) => ({ time_stamp, metric }));
        done(null, { observation_log: { metric_logs: logs } });
      },
      DeleteObservationLog(call: Call<{ trial_name: string }>, done: Done) {
        observations.delete(call.request.trial_name);
        done(null, {});
      },
    });
    // Experiments with earlyStopping: no rule is ever given, so no trial is stopped early.
    this.server.addService(api.EarlyStopping.service, {
      GetEarlyStoppingRules(_call: Call<unknown>, done: Done) {
        done(null, { early_stopping_rules: [] });
      },
      ValidateEarlyStoppingSettings(_call: Call<unknown>, done: Done) {
        done(null, {});
      },
      SetTrialStatus(_call: Call<unknown>, done: Done) {
        done(null, {});
      },
    });
  }

  /** Stops at once (the controller, its only long-lived client, is stopped before it). */
  stop(): void {
    this.server.forceShutdown();
  }
}

/**
 * An HTTP CONNECT proxy on loopback that sends Katib's in-cluster gRPC addresses (ports 6789 and
 * 6788, any host) to the played server and refuses everything else (502).
 */
export class KatibProxy {
  /** The authorities the controller asked for, in order (for a test that wants to know). */
  readonly seen: string[] = [];
  private readonly sockets = new Set<Socket>();

  private readonly server = createServer((client) => this.relay(client));
  public port = 0;

  private constructor(private readonly target: number) {}

  static async open(target: number): Promise<KatibProxy> {
    const proxy = new KatibProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen(0, "127.0.0.1", () => resolve());
    });
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.sockets.delete(socket));
  }

  private relay(client: Socket): void {
    this.track(client);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > 16_384) client.destroy();
        return;
      }
      client.off("data", onData);
      client.pause();
      const [method, authority = ""] = head.subarray(0, end).toString("latin1").split("\r\n")[0]!.split(" ");
      this.seen.push(authority);
      const port = Number(authority.slice(authority.lastIndexOf(":") + 1));
      if (method !== "CONNECT" || (port !== 6789 && port !== 6788)) {
        client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
        return;
      }
      const upstream = connect(this.target, "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection established\r\n\r\n");
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      this.track(upstream);
      upstream.on("close", () => client.destroy());
      client.on("close", () => upstream.destroy());
    };
    client.on("data", onData);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
