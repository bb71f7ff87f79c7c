import type { KubeConfig, User } from "@kubernetes/client-node";
import { ParityError } from "../../core/errors";
import type { LoadedKubeConfig } from "./kubeconfig";
import { CredentialsError } from "./kubeRequest";
import { duration } from "./kubeErrors";

/** Getting credentials (an exec plugin, most likely) took longer than the connection's deadline. */
export class PluginDeadline extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no credentials within ${timeoutMs} ms`);
    this.name = "PluginDeadline";
  }
}

/** The exec credential plugin a user runs (`users[].user.exec` or the older auth-provider form). */
export function execCommand(user: User | null | undefined): string | undefined {
  const exec = (user?.exec ?? user?.authProvider?.config?.exec) as { command?: unknown } | undefined;
  return typeof exec?.command === "string" ? exec.command : undefined;
}

/**
 * A failure to obtain or use the current user's credentials, or to read a file the kubeconfig
 * names; undefined when `error` is something else (a network failure, an HTTP status).
 */
export function credentialFailure(
  error: unknown,
  config: KubeConfig,
  loaded: LoadedKubeConfig,
): ParityError | undefined {
  const user = config.getCurrentUser();
  const cluster = config.getCurrentCluster();
  const userFile = user ? loaded.origins.get(`user:${user.name}`) : undefined;
  if (!(error instanceof CredentialsError) && !(error instanceof PluginDeadline)) return undefined;
  const failure = (error instanceof CredentialsError ? error.cause : undefined) as
    NodeJS.ErrnoException | undefined;
  const command = execCommand(user);
  const named = [cluster?.caFile, user?.certFile, user?.keyFile].filter(Boolean);
  if (failure?.code === "ENOENT" && failure.path && named.includes(failure.path)) {
    return new ParityError(
      "KubeconfigInvalid",
      `The file ${failure.path} named in your kubeconfig cannot be read (it does not exist).`,
      {
        fix: "Fix the path in the kubeconfig or restore the file.",
        location: { file: loaded.origins.get(`cluster:${cluster?.name}`) ?? userFile },
      },
    );
  }
  if (!command || !user) {
    if (error instanceof PluginDeadline) return undefined;
    return new ParityError(
      "KubeconfigInvalid",
      `The credentials of context ${config.getCurrentContext()} cannot be prepared: ${failure?.message ?? "unknown error"}.`,
      {
        fix: "Check the user's entry in your kubeconfig (kubectl config view --minify shows it).",
        location: { file: userFile },
        cause: error,
      },
    );
  }
  const where = `user ${user.name}${userFile ? ` in ${userFile}` : ""}`;
  const fix = `Run ${command} yourself to see its error (an expired login is the usual cause), then try again.`;
  if (error instanceof PluginDeadline) {
    return new ParityError(
      "ClusterAuthFailed",
      `The credential plugin ${command} (${where}) did not finish within ${duration(error.timeoutMs)}.`,
      { fix, cause: error },
    );
  }
  if (failure?.code === "ENOENT" && failure.syscall?.startsWith("spawn")) {
    return new ParityError(
      "ClusterAuthFailed",
      `The credential plugin ${command} (${where}) is not installed or not on PATH.`,
      {
        fix: `Install ${command} (your cloud provider's CLI ships it) or fix users[].user.exec.command in the kubeconfig.`,
        cause: error,
      },
    );
  }
  if (failure instanceof SyntaxError) {
    return new ParityError(
      "ClusterAuthFailed",
      `The credential plugin ${command} (${where}) printed something that is not an ExecCredential.`,
      { fix, cause: error },
    );
  }
  // client-node rejects with the plugin's stderr as the message when it exits non-zero.
  const said = (failure?.message ?? "").trim().split("\n")[0] ?? "";
  return new ParityError(
    "ClusterAuthFailed",
    `The credential plugin ${command} (${where}) failed${said ? `: ${said}` : ""}.`,
    { fix, cause: error },
  );
}
