/**
 * Delay before reconnect attempt `attempt` (1 for the first retry): exponential growth capped at
 * `maxMs`, with full jitter (a uniform draw between 0 and the cap) so that many informers losing
 * the same apiserver do not all come back in the same instant.
 */
export function backoffDelay(
  attempt: number,
  options: { initialMs?: number; maxMs?: number; random?: () => number } = {},
): number {
  const { initialMs = 500, maxMs = 30_000, random = Math.random } = options;
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const ceiling = Math.min(maxMs, initialMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
