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
    // core and targets are used by the CLI and plain tests: never the vscode API.
    files: ["src/core/**/*.ts", "src/targets/**/*.ts", "src/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "vscode", message: "src/core, src/targets and src/cli never import vscode." }] },
      ],
    },
  },
  {
    // activate() stays cheap: heavy modules only through dynamic import() on first use.
    // src/services/heavy.ts is the one module loaded on first use: it may import them.
    files: [
      "src/extension.ts",
      "src/commands/**/*.ts",
      "src/views/**/*.ts",
      "src/panels/**/*.ts",
      "src/services/**/*.ts",
      "src/statusBar/**/*.ts",
    ],
    ignores: ["src/services/heavy.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "dockerode",
              message: "Load dockerode lazily (await import) from src/targets.",
              allowTypeImports: true,
            },
            { name: "@kubernetes/client-node", message: "Load client-node lazily.", allowTypeImports: true },
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
