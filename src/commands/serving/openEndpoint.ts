import type { Services } from "../../services/container";
import { endpointFor } from "./endpoints";

/**
 * Parity: Open Endpoint — the clicked endpoint's panel (where it stands, its URL, a request tester),
 * else that of the active notebook's endpoint, else of the one picked.
 */
export async function openEndpoint(services: Services, arg?: unknown): Promise<void> {
  const endpoint = await endpointFor(services, arg, { action: "open" });
  if (!endpoint) return;
  (await import("../../panels")).showEndpointPanel(services.context, endpoint.ref);
}
