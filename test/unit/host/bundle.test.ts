import { build } from "esbuild";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module shared with esbuild.mjs, without type declarations.
import { heavyApart } from "../../../scripts/esbuild-heavy-apart.mjs";

describe("the extension bundle loaded at activation", () => {
  it("leaves Docker, Kubernetes, the registry, the probe and the profile parser to dist/services.js", async () => {
    const result = await build({
      entryPoints: ["src/extension.ts"],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "cjs",
      outdir: "out/bundle-check",
      external: ["vscode"],
      loader: { ".py": "text" },
      plugins: [heavyApart],
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("src/extension.ts");
    expect(inputs.filter((input) => input.includes("node_modules/"))).toEqual([]);
    expect(
      inputs.filter((input) =>
        /src\/targets\/(docker|local|kube|registry)\/|src\/targets\/clusterSession|src\/services\/cluster(Heavy|Watch)|src\/core\/profile\/parse/.test(
          input,
        ),
      ),
    ).toEqual([]);
    // The Cluster view's model and the cluster commands come with dist/services.js too.
    expect(
      inputs.filter((input) =>
        /src\/views\/cluster\/(clusterModel|gpuRows|selectionRows|clusterObjects)|src\/commands\/cluster\/(deleteClusterRun|select|showManifest|signIn)|src\/commands\/run\/runOnCluster|src\/core\/manifests\//.test(
          input,
        ),
      ),
    ).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).toMatch(/(import|require)\("\.\/services\.js"\)/);
  });
});
