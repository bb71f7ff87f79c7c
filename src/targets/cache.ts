/** Where Parity keeps what it builds once for every project (base images, the suggestion process): $PARITY_CACHE_DIR or /var/cache/parity. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PARITY_CACHE_DIR || "/var/cache/parity";
}
