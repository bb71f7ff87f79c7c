import { defineConfig } from "vitest/config";

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
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Integration tests share one Docker engine (and later one control plane): run files one at a time.
    fileParallelism: false,
  },
});
