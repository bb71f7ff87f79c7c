// The formatter is vscode-free and lives in src/core, so the panels use the same one.
export { userMessage } from "../core/presentation/messages";
