import { describe, expect, it } from "vitest";
import { runCli } from "../../integration/helpers/workspace";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const run = await runCli(args, { cwd: process.cwd(), env: {} });
  return { code: run.code, out: run.out.join("\n"), err: run.err.join("\n") };
}

describe("--target on the CLI", () => {
  it("refuses a target that does not exist, for every command that takes one, before doing anything", async () => {
    for (const command of ["check", "run", "manifest"]) {
      const result = await cli([command, "train.ipynb", "--target", "moon"]);
      expect(result.code).toBe(2);
      expect(result.err).toBe(`parity ${command}: unknown target "moon"; use "local" or "cluster".`);
    }
  });

  it("says a manifest is for the cluster when asked for a local one", async () => {
    const result = await cli(["manifest", "train.ipynb"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('add "--target cluster"');
  });

  it("documents the cluster target, its context and namespace in each command's help", async () => {
    for (const command of ["check", "run", "manifest"]) {
      const help = await cli([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(/--target local\|cluster/);
      expect(help.out).toMatch(/--context <name>/);
      expect(help.out).toMatch(/-n, --namespace <name>/);
    }
    expect((await cli(["--help"])).out).toMatch(/manifest <notebook>/);
  });
});
