import path from "node:path";

export const repoRoot = path.resolve(__dirname, "../../..");
/** Screenshots (kept by CI as artifacts; gitignored). */
export const resultsDir = path.join(repoRoot, "test-results", "e2e");
