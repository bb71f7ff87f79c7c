import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "test/cluster/bin/", "**/*.d.ts", ".cache/", "out/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "child_process",
              message: "Use node:child_process with argument arrays (execFile/spawn).",
            },
          ],
        },
      ],
    },
  },
  {
    // core, targets and app are used by the CLI and plain tests: never the vscode API.
    files: ["src/core/**/*.ts", "src/targets/**/*.ts", "src/app/**/*.ts", "src/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "vscode", message: "src/core, src/targets, src/app and src/cli never import vscode." },
          ],
        },
      ],
    },
  },
  {
    // activate() stays cheap: heavy modules only through dynamic import() on first use, which is
    // the application layer's (dist/app.js, through src/services/app.ts).
    files: [
      "src/extension.ts",
      "src/commands/**/*.ts",
      "src/views/**/*.ts",
      "src/panels/**/*.ts",
      "src/services/**/*.ts",
      "src/statusBar/**/*.ts",
    ],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "dockerode",
              message: "Docker is the application layer's: reach it through services.app().",
              allowTypeImports: true,
            },
            {
              name: "@kubernetes/client-node",
              message: "Kubernetes is the application layer's: reach it through services.app().",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Webview apps run in the browser and only render: no vscode API, no Node, no host-side code.
    files: ["webview-ui/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["vscode", "node:*"], message: "Webview code runs in the browser." },
            {
              group: ["**/src/panels/**", "**/src/targets/**", "**/src/services/**", "**/src/commands/**"],
              message: "Webviews get computed data through src/protocol; business logic stays in the host.",
            },
          ],
        },
      ],
    },
  },
  {
    // The panels preview: a Node server and the scripted hosts it serves to the browser.
    files: ["webview-ui/preview/**"],
    languageOptions: {
      globals: { setTimeout: "readonly", setInterval: "readonly", URL: "readonly", window: "readonly" },
    },
  },
  {
    // dependency-cruiser reads its configuration as CommonJS.
    files: [".dependency-cruiser.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable" } },
  },
  {
    // The bin shim is CommonJS: it requires the bundled CLI.
    files: ["bin/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", require: "readonly", __dirname: "readonly" },
    },
  },
);
