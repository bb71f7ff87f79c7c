import { readFileSync } from "node:fs";
import { build, type BuildOptions } from "esbuild";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module shared with esbuild.mjs, without type declarations.
import { lazyBundles } from "../../../scripts/esbuild-lazy.mjs";

/** The options esbuild.mjs builds the host bundles with, as far as the bundles' contents go. */
const hostBundles = {
  bundle: true,
  write: false,
  metafile: true,
  platform: "node",
  format: "cjs",
  outdir: "out/bundle-check",
  external: ["vscode", "cpu-features", "./crypto/build/Release/sshcrypto.node"],
  loader: { ".py": "text" },
  plugins: [lazyBundles],
  supported: { "dynamic-import": false },
  logLevel: "silent",
} satisfies BuildOptions;

describe("the extension bundle loaded at activation", () => {
  it("holds the stubs only: the host (services, views, commands) is dist/host.js, loaded on first use", async () => {
    const result = await build({ ...hostBundles, entryPoints: ["src/extension.ts"] });
    expect(Object.keys(result.metafile.inputs).sort()).toEqual([
      "src/extension.ts",
      "src/startFailure.ts",
      "src/views/deferredTreeView.ts",
    ]);
    expect(result.outputFiles[0]!.text).toMatch(/require\("\.\/host\.js"\)/);
  });
});

describe("the host bundle, loaded when a view first asks for rows", () => {
  it("leaves the application layer (Docker, Kubernetes, the registry, the probe, the profile parser) to dist/app.js", async () => {
    const result = await build({ ...hostBundles, entryPoints: ["src/host.ts"] });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("src/host.ts");
    expect(inputs.filter((input) => input.includes("node_modules/"))).toEqual([]);
    // Of the targets only the file claim (node:fs alone), with which the store takes a record.
    expect(inputs.filter((input) => /^src\/targets\//.test(input))).toEqual(["src/targets/claim.ts"]);
    // Of the application layer only the store (records on disk, light) is used at once.
    expect(inputs.filter((input) => /^src\/app\//.test(input) && !/^src\/app\/store\//.test(input))).toEqual(
      [],
    );
    expect(inputs.filter((input) => /src\/core\/profile\/parse/.test(input))).toEqual([]);
    // The commands, the Cluster view's model and the cluster commands come in bundles of their own, on first use.
    // Of them only the error boundary, which reports a bundle that failed to load.
    expect(inputs.filter((input) => /^src\/commands\//.test(input))).toEqual([
      "src/commands/support/boundary.ts",
    ]);
    expect(
      inputs.filter((input) =>
        /src\/views\/cluster\/(clusterModel|gpuRows|selectionRows|podGroups|reconcileRows|workloadRows)|src\/core\/manifests\//.test(
          input,
        ),
      ),
    ).toEqual([]);
    const code = result.outputFiles[0]!.text;
    for (const bundle of ["app", "commands", "clusterCommands", "clusterModel", "panels"]) {
      expect(code).toMatch(new RegExp(`require\\("\\./${bundle}\\.js"\\)`));
    }
  });

  it("has a handler for every command package.json declares (activation registers those only), and no other", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
      contributes: { commands: { command: string }[] };
    };
    const declared = manifest.contributes.commands.map(({ command }) => command).sort();
    const source = readFileSync("src/commands/registerCommands.ts", "utf8");
    const handled = [...source.matchAll(/^\s+"(parity\.[\w.]+)":/gm)].map((match) => match[1]).sort();
    expect(handled).toEqual(declared);
  });
});

describe("the bundles loaded on first use", () => {
  it("hold one copy of the panels' registry: every bundle that opens a panel requires dist/panels.js", async () => {
    // @ts-expect-error: a plain ES module shared with esbuild.mjs, without type declarations.
    const { lazyEntries } = await import("../../../scripts/esbuild-lazy.mjs");
    const result = await build({
      ...hostBundles,
      entryPoints: { extension: "src/extension.ts", ...(lazyEntries as Record<string, string>) },
    });
    const holders = Object.entries(result.metafile.outputs)
      .filter(([, output]) => Object.keys(output.inputs).includes("src/panels/index.ts"))
      .map(([file]) => file);
    expect(holders).toEqual(["out/bundle-check/panels.js"]);
  }, 60_000);
});
