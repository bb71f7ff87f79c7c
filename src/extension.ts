import type * as vscode from "vscode";

// activate() stays cheap: views, commands and panels register here and load their heavy
// modules (dockerode, client-node) on first use. The VS Code experience is built on top of the
// same core and targets as the CLI.
export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
