import { followRunEvents as followEngineEvents } from "../../../targets/docker/runEvents";
import type { SessionContext } from "../../context";
import { connect } from "../../job/session";

/**
 * Follows the engine's events for Parity's run containers (created, started, died, removed) until
 * the stream ends or the context's signal aborts: what the Runs view refreshes on.
 */
export async function followRunEvents(
  context: SessionContext,
  onEvent: (event: { runId?: string; action?: string }) => void,
): Promise<void> {
  const connection = await connect(context, () => undefined);
  await followEngineEvents(connection, context.signal, onEvent);
}
