import { readFileSync } from "node:fs";
import path from "node:path";
import { KubeConfig, type Cluster, type Context, type User } from "@kubernetes/client-node";
import { load } from "js-yaml";
import { kubeconfigFiles } from "../../core/cluster/kubeconfigFiles";
import { ParityError } from "../../core/errors";

export { kubeconfigFiles };

/** The merged kubeconfig and where each entry came from, for messages that name a file. */
export interface LoadedKubeConfig {
  config: KubeConfig;
  /** The files read, in order (missing KUBECONFIG entries are skipped, as kubectl does). */
  files: string[];
  /** "cluster:<name>", "user:<name>", "context:<name>" → the file that defined it. */
  origins: Map<string, string>;
}

/** The kubeconfig as kubectl reads it; never writes any file. */
export function loadKubeConfig(options: { env: NodeJS.ProcessEnv; homeDir: string }): KubeConfig {
  return readKubeConfigs(options).config;
}

/**
 * KUBECONFIG (a path.delimiter list) merged like kubectl: the first file that defines a cluster,
 * user or context by a name wins, and current-context comes from the first file that sets it.
 * Without KUBECONFIG: ~/.kube/config.
 */
export function readKubeConfigs(options: { env: NodeJS.ProcessEnv; homeDir: string }): LoadedKubeConfig {
  const listed = (options.env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file !== "");
  const candidates = kubeconfigFiles(options);
  const merged = {
    clusters: [] as Cluster[],
    users: [] as User[],
    contexts: [] as Context[],
    currentContext: "",
  };
  const origins = new Map<string, string>();
  const files: string[] = [];
  for (const candidate of candidates) {
    const text = readIfPresent(candidate);
    if (text === undefined) continue;
    files.push(candidate);
    const one = parseKubeconfig(candidate, text);
    const add = <T extends { name: string }>(kind: string, list: T[], into: T[]) => {
      for (const entry of list) {
        if (origins.has(`${kind}:${entry.name}`)) continue;
        origins.set(`${kind}:${entry.name}`, candidate);
        into.push(entry);
      }
    };
    add("cluster", one.clusters, merged.clusters);
    add("user", one.users, merged.users);
    add("context", one.contexts, merged.contexts);
    merged.currentContext ||= one.currentContext ?? "";
  }
  if (files.length === 0) {
    throw new ParityError(
      "KubeconfigNotFound",
      listed.length > 0
        ? `None of the kubeconfig files in KUBECONFIG exists (${candidates.join(", ")}).`
        : `No kubeconfig found: KUBECONFIG is not set and ${candidates[0]} does not exist.`,
      {
        fix: "Point KUBECONFIG at the kubeconfig your cluster admin or cloud CLI gave you, or save it as ~/.kube/config.",
      },
    );
  }
  const config = new KubeConfig();
  config.loadFromOptions(merged);
  return { config, files, origins };
}

/**
 * The files a kubeconfig names by path (CA bundles, client certificates and keys): a change of one
 * is a change of the cluster or the credentials as much as an edit of the kubeconfig itself.
 */
export function filesNamedIn(config: KubeConfig): string[] {
  const named = [
    ...config.clusters.map((cluster) => cluster.caFile),
    ...config.users.flatMap((user) => [user.certFile, user.keyFile]),
  ];
  return [...new Set(named.filter((file): file is string => typeof file === "string" && file !== ""))];
}

/** A file's text, or "" when it cannot be read (a missing CA is reported where it is used). */
export function contentsOrEmpty(file: string | undefined): string {
  if (!file) return "";
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ParityError(
      "KubeconfigInvalid",
      `The kubeconfig ${file} cannot be read: ${(error as Error).message}.`,
      {
        fix: "Check the file's permissions.",
        location: { file },
      },
    );
  }
}

/** One file, its relative paths resolved against its own folder (as kubectl does). */
function parseKubeconfig(file: string, text: string): KubeConfig {
  try {
    const raw: unknown = load(text) ?? {};
    if (typeof raw !== "object" || Array.isArray(raw)) throw new Error("it is not a YAML mapping");
    resolveRelativePaths(raw as RawKubeconfig, path.dirname(file));
    const one = new KubeConfig();
    // JSON is YAML: client-node validates the entries (a cluster without server, ...).
    one.loadFromString(JSON.stringify(raw));
    return one;
  } catch (error) {
    throw new ParityError(
      "KubeconfigInvalid",
      `The kubeconfig ${file} is invalid: ${(error as Error).message}.`,
      {
        fix: "Repair the file (kubectl config view shows how kubectl reads it), or remove it from KUBECONFIG.",
        location: { file },
      },
    );
  }
}

interface RawKubeconfig {
  clusters?: { cluster?: Record<string, unknown> }[];
  users?: { user?: Record<string, unknown> & { exec?: Record<string, unknown> } }[];
}

function resolveRelativePaths(raw: RawKubeconfig, dir: string): void {
  const resolve = (holder: Record<string, unknown> | undefined, key: string) => {
    const value = holder?.[key];
    if (typeof value === "string" && value !== "" && !path.isAbsolute(value))
      holder![key] = path.join(dir, value);
  };
  for (const entry of Array.isArray(raw.clusters) ? raw.clusters : [])
    resolve(entry?.cluster, "certificate-authority");
  for (const entry of Array.isArray(raw.users) ? raw.users : []) {
    for (const key of ["client-certificate", "client-key", "token-file"]) resolve(entry?.user, key);
    // A plugin named by a relative path (./bin/auth) is relative to the file; a bare name is looked up on PATH.
    const command = entry?.user?.exec?.command;
    if (typeof command === "string" && command.includes("/")) resolve(entry?.user?.exec, "command");
  }
}
