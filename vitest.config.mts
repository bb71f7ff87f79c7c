import { defineConfig } from "vitest/config";

/** Test files that run against the control plane in test/cluster (any suite may opt in by name). */
const clusterSuites = ["test/cluster/**/*.test.ts", "test/**/*.cluster.test.ts"];
/** Tests in a real VS Code: code-server driven by Chromium. */
const e2eSuites = ["test/e2e/**/*.e2e.test.ts"];

export default defineConfig({
  plugins: [
    {
      // Python sources (the environment probe) are bundled as text, as esbuild's "text" loader does.
      name: "python-as-text",
      transform(code, id) {
        return id.endsWith(".py") ? { code: `export default ${JSON.stringify(code)};`, map: null } : null;
      },
    },
  ],
  test: {
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Integration tests share one Docker engine (and later one control plane): run files one at a time.
    fileParallelism: false,
    projects: [
      {
        // Projects concatenate arrays with the root config, so each one names its own files.
        extends: true,
        test: {
          name: "default",
          include: ["test/**/*.test.ts"],
          exclude: [...clusterSuites, ...e2eSuites, "**/node_modules/**"],
        },
      },
      {
        // Suites that need the real control plane: its global setup builds or reuses the binaries,
        // starts etcd, kube-apiserver, controller-manager, scheduler and kwok once, and stops them.
        extends: true,
        test: {
          name: "cluster",
          include: clusterSuites,
          globalSetup: ["test/cluster/harness/global-setup.ts"],
          testTimeout: 120_000,
        },
      },
      {
        // The packaged VSIX installed into code-server (VS Code in a browser) and driven by
        // Chromium: its global setup installs code-server (cached), packages the VSIX and installs
        // it once; each test opens a fresh window on a fresh copy of examples/.
        extends: true,
        test: {
          name: "e2e",
          include: e2eSuites,
          globalSetup: ["test/e2e/harness/global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
