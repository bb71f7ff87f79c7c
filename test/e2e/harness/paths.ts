import path from "node:path";

/**
 * The repository: found from this file under vitest; a bundled script (bench/, run by
 * scripts/run-ts.mjs from the repository's root) has no __dirname and uses its working folder.
 */
export const repoRoot = typeof __dirname === "string" ? path.resolve(__dirname, "../../..") : process.cwd();
/** Screenshots (kept by CI as artifacts; gitignored). */
export const resultsDir = path.join(repoRoot, "test-results", "e2e");
