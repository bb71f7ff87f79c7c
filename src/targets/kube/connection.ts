import { KubeConfig, type Context } from "@kubernetes/client-node";
import { CancelledError, ParityError, throwIfCancelled } from "../../core/errors";
import type { ClusterSpec } from "../../core/profile/types";
import { credentialFailure, execCommand, PluginDeadline } from "./credentials";
import { apiFailure, httpStatus, networkFailure, unauthorized } from "./kubeErrors";
import { contentsOrEmpty, readKubeConfigs, type LoadedKubeConfig } from "./kubeconfig";
import { getJson, KubeTimeoutError } from "./kubeRequest";

export interface ClusterTarget {
  context: string;
  namespace: string;
  server: string;
  user: string;
  /** The user's exec credential plugin (command), when it has one. */
  authPlugin?: string;
  /** where the context / namespace came from */
  source: {
    context: "option" | "profile" | "kubeconfig";
    namespace: "option" | "profile" | "kubeconfig" | "default";
  };
}

export interface KubeConnection {
  /** A private copy with current-context (and its namespace) set in memory; the files are never written. */
  config: KubeConfig;
  target: ClusterTarget;
  /**
   * The cluster and user entries as they were when it was resolved, with the contents of the files
   * they name (a CA file is read when a request is made, so the path alone says nothing).
   */
  endpoint?: string;
}

export interface ConnectOptions {
  env: NodeJS.ProcessEnv;
  homeDir: string;
  /** From a setting or a CLI flag: wins over the profile. */
  context?: string;
  namespace?: string;
  profileCluster?: ClusterSpec;
  signal?: AbortSignal;
  /** Deadline for the reachability check; 10 s by default. */
  timeoutMs?: number;
}

/** What chooses the context and namespace: no request is sent. */
type Choice = Omit<ConnectOptions, "signal" | "timeoutMs">;

/**
 * Chooses the context and namespace (option > profile > kubeconfig; namespace falls back to
 * "default"), then checks that the API server answers GET /version with these credentials.
 */
export async function connectCluster(options: ConnectOptions): Promise<KubeConnection> {
  throwIfCancelled(options.signal);
  const { connection, loaded } = resolveConnection(options);
  await checkReachable(connection.config, connection.target, loaded, options);
  return connection;
}

/**
 * The connection the kubeconfig's files choose now, read from disk without asking the server:
 * what connectCluster checks, and what a changed kubeconfig is compared with (sameEndpoint).
 */
export function resolveConnection(options: Choice): {
  connection: KubeConnection;
  loaded: LoadedKubeConfig;
} {
  const loaded = readKubeConfigs(options);
  const chosen = chooseContext(loaded, options);
  const namespace = chooseNamespace(chosen.context, options);
  const cluster = loaded.config.getCluster(chosen.context.cluster);
  if (!cluster) {
    throw new ParityError(
      "KubeconfigInvalid",
      `Context ${chosen.context.name} names cluster ${chosen.context.cluster}, which no kubeconfig file defines.`,
      {
        fix: "Add the cluster to your kubeconfig or pick another context.",
        location: { file: loaded.origins.get(`context:${chosen.context.name}`) },
      },
    );
  }
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ ...cluster }],
    users: loaded.config.users
      .filter((user) => user.name === chosen.context.user)
      .map((user) => ({ ...user })),
    contexts: [{ ...chosen.context, namespace: namespace.name }],
    currentContext: chosen.context.name,
  });
  const target: ClusterTarget = {
    context: chosen.context.name,
    namespace: namespace.name,
    server: cluster.server,
    user: chosen.context.user ?? "",
    source: { context: chosen.source, namespace: namespace.source },
  };
  const authPlugin = execCommand(config.getCurrentUser());
  if (authPlugin) target.authPlugin = authPlugin;
  return { connection: { config, target, endpoint: endpointOf(config, target) }, loaded };
}

function endpointOf(config: KubeConfig, target: ClusterTarget): string {
  const cluster = config.getCurrentCluster();
  const user = config.getCurrentUser();
  return JSON.stringify([
    target.context,
    target.namespace,
    cluster,
    user,
    [cluster?.caFile, user?.certFile, user?.keyFile].map(contentsOrEmpty),
  ]);
}

/**
 * Whether two connections reach the same server as the same user in the same namespace: the
 * cluster entry (server, CA, TLS options) and the user entry (token, certificates, exec plugin)
 * compared whole, with the contents of the files they name (a CA file rewritten in place), so a
 * moved server, a new CA or new credentials all count as a change.
 */
export function sameEndpoint(a: KubeConnection, b: KubeConnection): boolean {
  const entries = (connection: KubeConnection) =>
    connection.endpoint ?? endpointOf(connection.config, connection.target);
  return entries(a) === entries(b);
}

/** "context kwok (https://127.0.0.1:6443), namespace team-a" */
export function describeTarget(target: ClusterTarget): string {
  return `context ${target.context} (${target.server}), namespace ${target.namespace}`;
}

function chooseContext(loaded: LoadedKubeConfig, options: Choice) {
  const profileContext = options.profileCluster?.context;
  const [name, source] = options.context
    ? [options.context, "option" as const]
    : profileContext
      ? [profileContext, "profile" as const]
      : [loaded.config.currentContext, "kubeconfig" as const];
  const names = loaded.config.contexts.map((context) => context.name);
  const known = names.length > 0 ? `Contexts there: ${names.join(", ")}.` : "It defines no context.";
  if (!name) {
    throw new ParityError(
      "KubeContextNotFound",
      `No context chosen: ${loaded.files.join(", ")} sets no current-context. ${known}`,
      {
        fix: "Set cluster.context in parity.yaml, the parity.cluster.context setting, or run kubectl config use-context <name>.",
      },
    );
  }
  const context = loaded.config.getContextObject(name);
  if (!context) {
    const from =
      source === "option"
        ? "the setting or flag"
        : source === "profile"
          ? "the profile's cluster.context"
          : "current-context";
    throw new ParityError(
      "KubeContextNotFound",
      `Context ${name} (from ${from}) is not in ${loaded.files.join(", ")}. ${known}`,
      {
        fix: `Choose one of the contexts listed, or add ${name} to your kubeconfig.`,
        location: source === "profile" ? { field: "cluster.context" } : undefined,
      },
    );
  }
  return { context, source };
}

function chooseNamespace(context: Context, options: Choice) {
  if (options.namespace) return { name: options.namespace, source: "option" as const };
  if (options.profileCluster?.namespace)
    return { name: options.profileCluster.namespace, source: "profile" as const };
  if (context.namespace) return { name: context.namespace, source: "kubeconfig" as const };
  return { name: "default", source: "default" as const };
}

async function checkReachable(
  config: KubeConfig,
  target: ClusterTarget,
  loaded: LoadedKubeConfig,
  options: ConnectOptions,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  try {
    // An exec plugin cannot be interrupted by client-node: race it against the same deadline.
    await raceDeadline(
      getJson(config, "/version", { signal: options.signal, timeoutMs }),
      timeoutMs,
      options.signal,
    );
  } catch (error) {
    throwIfCancelled(options.signal);
    const status = httpStatus(error);
    // 403 on /version still proves the server answers and knows the user.
    if (status === 403) return;
    if (status === 401) throw unauthorized(target, error);
    throw (
      credentialFailure(error, config, loaded) ??
      networkFailure(error instanceof PluginDeadline ? new KubeTimeoutError(timeoutMs) : error, target) ??
      apiFailure(error, target, "answer GET /version")
    );
  }
}

function raceDeadline<T>(work: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new PluginDeadline(timeoutMs)), timeoutMs + 1_000);
    const onAbort = () => reject(new CancelledError());
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    });
  });
}
