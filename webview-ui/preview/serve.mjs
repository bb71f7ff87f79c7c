// Serves the built panels (npm run build) in a plain browser with scripted hosts, under the
// same CSP as in VS Code. Usage: node webview-ui/preview/serve.mjs [port]
// then open http://127.0.0.1:5174/report?scenario=apply-fails (see scenarios.js).
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "..", "..", "dist", "webview");
const port = Number(process.argv[2] ?? 5174);
const PANELS = ["report", "logs", "diagnosis"];
const TYPES = { ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

// A dark theme's variables, as VS Code sets them on the webview's html element.
const THEME = `:root{--vscode-foreground:#ccc;--vscode-descriptionForeground:#9d9d9d;--vscode-editor-background:#1e1e1e;--vscode-editorWidget-background:#252526;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-editor-font-size:13px;--vscode-errorForeground:#f48771;--vscode-editorWarning-foreground:#cca700;--vscode-editorInfo-foreground:#3794ff;--vscode-panel-border:#444;--vscode-textLink-foreground:#3794ff;--vscode-badge-background:#4d4d4d;--vscode-badge-foreground:#fff;--vscode-editor-findMatchBackground:#515c6a;--vscode-editor-findMatchHighlightBackground:#ea5c0055;--vscode-editor-lineHighlightBackground:#ffffff10;--vscode-terminal-ansiRed:#cd3131;--vscode-terminal-ansiGreen:#0dbc79;--vscode-terminal-ansiYellow:#e5e510;--vscode-terminal-ansiBrightGreen:#23d18b;--vscode-inputValidation-errorBackground:#5a1d1d;--vscode-inputValidation-errorBorder:#be1100;--vscode-focusBorder:#007fd4}`;

/** JSON for inside a <script>: "<" escaped, so a value cannot close the script ("</script>") or open a comment. */
function scriptJson(value) {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function page(panel, scenario) {
  const nonce = randomBytes(16).toString("base64");
  const csp = `default-src 'none'; style-src 'self' 'nonce-${nonce}'; font-src 'self'; img-src 'self' data:; script-src 'nonce-${nonce}'`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/dist/${panel}.css" nonce="${nonce}"><style nonce="${nonce}">${THEME}</style>
<script type="module" nonce="${nonce}">
import { scenarios } from "/preview/scenarios.js";
const listeners = [];
const host = { post: (type, payload) => setTimeout(() => window.postMessage({ type, payload }, "*")) };
const script = (scenarios[${scriptJson(panel)}][${scriptJson(scenario)}] ?? scenarios[${scriptJson(panel)}].default)(host);
window.posted = [];
window.acquireVsCodeApi = () => ({
  postMessage: (message) => { window.posted.push(message); console.log("to host:", message); script[message.type]?.(message.payload); },
  getState: () => JSON.parse(sessionStorage.getItem("state") ?? "null"),
  setState: (state) => sessionStorage.setItem("state", JSON.stringify(state)),
});
await import("/dist/${panel}.js");
</script></head>
<body data-restore="{}" data-state="null"><main id="app"></main></body></html>`;
}

// Listens on the loopback interface only: the preview is for this machine's browser, not the network.
createServer((request, response) => {
  const url = new URL(request.url ?? "/", `http://127.0.0.1:${port}`);
  const name = url.pathname.slice(1);
  if (PANELS.includes(name)) {
    response.setHeader("content-type", "text/html");
    response.end(page(name, url.searchParams.get("scenario") ?? "default"));
    return;
  }
  const file = name.startsWith("dist/")
    ? path.join(dist, name.slice(5))
    : name === "preview/scenarios.js"
      ? path.join(here, "scenarios.js")
      : "";
  if (!file || !existsSync(file)) {
    response.statusCode = 404;
    response.end(PANELS.map((panel) => `/${panel}?scenario=...`).join("\n"));
    return;
  }
  response.setHeader("content-type", TYPES[path.extname(file)] ?? "application/octet-stream");
  response.end(readFileSync(file));
}).listen(port, "127.0.0.1", () =>
  console.log(`Panels preview: http://127.0.0.1:${port}/report, /logs, /diagnosis (?scenario=...)`),
);
