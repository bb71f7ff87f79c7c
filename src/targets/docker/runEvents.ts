import type { DockerConnection } from "./connection";
import { NOTEBOOK_LABEL, RUN_LABEL } from "./runLabels";

/**
 * Follows the engine's events for Parity's run containers (created, started, died, removed) until
 * the stream ends or `signal` aborts; one call of `onEvent` per event. Rejects when the engine
 * cannot be reached or the stream fails, so the caller decides whether to reconnect.
 */
export async function followRunEvents(
  connection: DockerConnection,
  signal: AbortSignal,
  onEvent: (event: { runId?: string; action?: string }) => void,
): Promise<void> {
  const stream = (await connection.docker.getEvents({
    filters: { type: ["container"], label: [RUN_LABEL] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  await new Promise<void>((resolve, reject) => {
    let buffered = "";
    const stop = (): void => {
      stream.destroy();
      resolve();
    };
    if (signal.aborted) return stop();
    signal.addEventListener("abort", stop, { once: true });
    stream.on("data", (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          const event = JSON.parse(line) as {
            Action?: string;
            Actor?: { Attributes?: Record<string, string> };
          };
          onEvent({ runId: event.Actor?.Attributes?.[RUN_LABEL], action: event.Action });
        } catch {
          onEvent({});
        }
      }
    });
    stream.on("end", () => {
      signal.removeEventListener("abort", stop);
      resolve();
    });
    stream.on("error", (error: Error) => {
      signal.removeEventListener("abort", stop);
      if (signal.aborted) resolve();
      else reject(error);
    });
  });
}

/**
 * Stops the containers of a run started elsewhere (the CLI); the run's own process records the end.
 * Only those of that run's notebook too: a run id read from a workspace's record must not reach
 * another project's container.
 */
export async function stopRunContainers(
  connection: DockerConnection,
  runId: string,
  notebookFile: string,
): Promise<number> {
  const containers = await connection.docker.listContainers({
    filters: {
      label: [`${RUN_LABEL}=${runId}`, `${NOTEBOOK_LABEL}=${notebookFile}`],
      status: ["running", "created", "restarting"],
    },
  });
  await Promise.all(
    containers.map((info) =>
      connection.docker
        .getContainer(info.Id)
        .stop({ t: 5 })
        .catch((error: { statusCode?: number }) => {
          // 304: already stopped; 404: already removed.
          if (error.statusCode !== 304 && error.statusCode !== 404) throw error;
        }),
    ),
  );
  return containers.length;
}
