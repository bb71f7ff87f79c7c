import { defineConfig } from "vitest/config";

/** Test files that run against the control plane in test/cluster (any suite may opt in by name). */
const clusterSuites = ["test/cluster/**/*.test.ts", "test/**/*.cluster.test.ts"];

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
          exclude: [...clusterSuites, "**/node_modules/**"],
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
    ],
  },
});
