import type Dockerode from "dockerode";
import { CancelledError, ParityError } from "../../core/errors";
import type { RegistryCredentials } from "./credentials";
import {
  describeNetworkFailure,
  redact,
  registryPushFailed,
  registryUnauthorized,
  registryUnreachable,
} from "./errors";
import { splitTag, type RemoteReference } from "../../core/registry/reference";

interface PushMessage {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string };
}

export interface PushOptions {
  credentials?: RegistryCredentials;
  signal: AbortSignal;
  /** One line per layer and state ("8c8cb234184a: Pushed"), never one per byte. */
  onProgress?(line: string): void;
}

/** Tags the local image with the remote reference and pushes it; resolves with the pushed digest. */
export async function tagAndPush(
  docker: Dockerode,
  localTag: string,
  remote: RemoteReference,
  options: PushOptions,
): Promise<string | undefined> {
  const { signal, credentials } = options;
  const { name } = splitTag(remote.reference);
  if (localTag !== remote.reference) {
    await docker.getImage(localTag).tag({ repo: name, tag: remote.tag, abortSignal: signal });
  }
  const lastStatus = new Map<string, string>();
  let failure: string | undefined;
  let digest: string | undefined;
  try {
    const stream = await docker.getImage(name).push({
      tag: remote.tag,
      abortSignal: signal,
      ...(credentials ? { authconfig: { ...credentials } } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (message: PushMessage) => {
          if (message.error || message.errorDetail) failure = message.errorDetail?.message ?? message.error;
          if (message.aux?.Digest) digest = message.aux.Digest;
          if (!message.status) return;
          const key = message.id ?? "";
          if (lastStatus.get(key) === message.status) return;
          lastStatus.set(key, message.status);
          options.onProgress?.(
            redact(message.id ? `${message.id}: ${message.status}` : message.status, credentials),
          );
        },
      );
    });
  } catch (error) {
    if (signal.aborted) throw new CancelledError("The image push was cancelled.");
    failure = (error as Error).message;
  }
  if (signal.aborted) throw new CancelledError("The image push was cancelled.");
  if (failure !== undefined)
    throw explainPushFailure(redact(failure, credentials), remote, credentials !== undefined);
  return digest;
}

/** The engine's push error in the user's terms; the text is already free of credentials. */
export function explainPushFailure(
  message: string,
  remote: RemoteReference,
  withCredentials: boolean,
): ParityError {
  if (/unauthorized|authentication required|no basic auth credentials|denied|forbidden/i.test(message)) {
    return registryUnauthorized(remote.host, withCredentials);
  }
  const network =
    /dial tcp|connection refused|i\/o timeout|no such host|network is unreachable|connection reset/i.test(
      message,
    )
      ? describeNetworkFailure(new Error(message))
      : undefined;
  if (network) return registryUnreachable(remote.host, network);
  const sentence = message.trim().replace(/\.?$/, ".");
  return registryPushFailed(remote.reference, sentence);
}
