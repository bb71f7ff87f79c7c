import path from "node:path";

/**
 * The extension's bundles loaded on first use, beside dist/extension.js (loaded at activation):
 * the application layer with Docker and Kubernetes, the cluster commands, the Cluster view's model,
 * and the panels (registered at activation, but one instance for every bundle that opens one: their
 * registry of open panels is module state). Each is its own esbuild entry point; a dynamic import()
 * of one from host code becomes a require of the bundle (Node loads each file once), and a static
 * import bundles the module in as usual.
 */
export const lazyEntries = {
  host: "src/host.ts",
  commands: "src/commands/registerCommands.ts",
  app: "src/app/index.ts",
  clusterCommands: "src/commands/cluster/index.ts",
  clusterModel: "src/views/cluster/clusterModel.ts",
  panels: "src/panels/index.ts",
};

const byFile = new Map(Object.entries(lazyEntries).map(([name, file]) => [path.resolve(file), name]));

/** Turns `import("…")` of a lazy entry into a require of its bundle (`./<name>.js` in dist/). */
export const lazyBundles = {
  name: "lazy-bundles",
  setup(build) {
    build.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== "dynamic-import") return undefined;
      const base = path.resolve(args.resolveDir, args.path);
      const name = byFile.get(`${base}.ts`) ?? byFile.get(path.join(base, "index.ts"));
      return name ? { path: `./${name}.js`, external: true } : undefined;
    });
  },
};
