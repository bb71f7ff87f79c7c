// The layers of ARCHITECTURE.md, enforced: `npm run lint` (and so `npm test`) fails on a violation.
//   commands, views, panels, statusBar → services → app → targets → core
//   cli → app → targets → core;  protocol → core (types only);  webview-ui → protocol
// A layer may use any layer below it, never one above, and no module may take part in a cycle.
const HOST = "^src/(extension\\.ts|host\\.ts|commands|views|panels|statusBar|services)/?";
const layer = (folders) => `^src/(${folders.join("|")})/`;

/** `from` may not import any of `to` (folders of src/). */
const forbid = (name, from, to, comment) => ({
  name,
  severity: "error",
  comment,
  from: { path: from },
  to: { path: layer(to) },
});

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "A cycle makes two modules one: break it by moving the shared part down a layer.",
      from: {},
      to: { circular: true },
    },
    forbid(
      "core-is-the-bottom",
      layer(["core"]),
      ["targets", "app", "cli", "protocol", "services", "commands", "views", "panels", "statusBar"],
      "src/core is pure domain logic: it imports only itself.",
    ),
    forbid(
      "targets-adapt-only",
      layer(["targets"]),
      ["app", "cli", "protocol", "services", "commands", "views", "panels", "statusBar"],
      "src/targets are adapters to real systems: they import src/core only.",
    ),
    forbid(
      "app-serves-every-front-end",
      layer(["app"]),
      ["cli", "protocol", "services", "commands", "views", "panels", "statusBar"],
      "src/app serves the CLI and the extension alike: it knows neither.",
    ),
    forbid(
      "cli-uses-the-app",
      layer(["cli"]),
      ["targets", "protocol", "services", "commands", "views", "panels", "statusBar"],
      "The CLI is a front end over src/app: Docker and Kubernetes are reached through it.",
    ),
    forbid(
      "services-below-the-host",
      layer(["services"]),
      ["cli", "commands", "views", "panels", "statusBar"],
      "src/services hold the window's state for the host folders above them; they never import those.",
    ),
    forbid(
      "panels-below-commands",
      layer(["panels"]),
      ["cli", "commands", "views", "statusBar"],
      "Panels are opened by commands and views, never the other way.",
    ),
    forbid(
      "views-below-commands",
      layer(["views"]),
      ["cli", "commands", "panels", "statusBar"],
      "Views hand rows to commands; a view never imports a command.",
    ),
    forbid(
      "status-bar-alone",
      layer(["statusBar"]),
      ["cli", "commands", "views", "panels"],
      "The status bar reads services only.",
    ),
    forbid(
      "commands-not-cli",
      layer(["commands"]),
      ["cli", "statusBar"],
      "Commands are the extension's; the CLI has its own.",
    ),
    {
      name: "protocol-is-types",
      severity: "error",
      comment: "A panel's protocol is shared with the webview: it takes types from src/core, nothing else.",
      from: { path: layer(["protocol"]) },
      to: { path: "^src/(?!protocol/)", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "protocol-from-core-only",
      severity: "error",
      from: { path: layer(["protocol"]) },
      to: { path: layer(["targets", "app", "cli", "services", "commands", "views", "panels", "statusBar"]) },
    },
    {
      name: "webview-ui-speaks-protocol",
      severity: "error",
      comment: "Webviews get computed data through src/protocol; business logic stays in the host.",
      from: { path: "^webview-ui/" },
      to: { path: "^src/(?!protocol/)" },
    },
    {
      name: "activation-registers-stubs-only",
      severity: "error",
      comment:
        "activate() loads dist/extension.js only: stubs for what package.json declares. Everything else is reached through the host (src/host.ts), loaded on first use.",
      from: { path: "^src/extension\\.ts$" },
      to: {
        path: "^src/(?!(views/deferredTreeView|startFailure)\\.ts$)",
        dependencyTypesNot: ["type-only", "type-import", "dynamic-import"],
      },
    },
    {
      name: "host-loads-the-app-lazily",
      severity: "error",
      comment:
        "activate() stays cheap: the host reaches src/app through services/app.ts (a dynamic import, dist/app.js) or for types; only the light store is imported directly.",
      from: { path: HOST },
      to: {
        path: "^src/(app/(?!store/)|targets/)",
        dependencyTypesNot: ["type-only", "type-import", "dynamic-import"],
      },
    },
    {
      name: "host-loads-the-app-through-its-index",
      severity: "error",
      comment:
        "Only src/app/index.ts is bundled apart (dist/app.js): a dynamic import of another module of src/app would put a second copy of the layer into the host's bundle.",
      from: { path: HOST },
      to: { path: "^src/(app/(?!store/|index\\.ts$)|targets/)", dependencyTypes: ["dynamic-import"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.d\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
