import path from "node:path";

/**
 * dist/extension.js loads at activation; Docker, the interpreter probe and the profile parser are
 * bundled apart as dist/services.js (entry src/services/heavy.ts) and required by
 * src/services/loadHeavy.ts on first use.
 */
export const heavyApart = {
  name: "heavy-apart",
  setup(build) {
    build.onResolve({ filter: /^\.\/heavy$/ }, (args) =>
      args.importer.endsWith(`services${path.sep}loadHeavy.ts`)
        ? { path: "./services.js", external: true }
        : undefined,
    );
  },
};
