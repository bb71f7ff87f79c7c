export type Heavy = typeof import("./heavy");

let loading: Promise<Heavy> | undefined;

/** The heavy half of the extension (see heavy.ts), loaded once, on first use. */
export function loadHeavy(): Promise<Heavy> {
  loading ??= import("./heavy").catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
