/** The application layer (src/app/index.ts), as the extension reaches it: bundled as dist/app.js. */
export type App = typeof import("../app");

let loading: Promise<App> | undefined;

/**
 * The application layer, loaded once, on first use: Docker, Kubernetes and the profile parser come
 * with it, so activation never pays for them.
 */
export function loadApp(): Promise<App> {
  loading ??= import("../app").catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
