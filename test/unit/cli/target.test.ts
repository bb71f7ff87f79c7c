import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main";
import type { CliIO } from "../../../src/cli/io";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    isTTY: false,
    signal: new AbortController().signal,
    cwd: process.cwd(),
    env: {},
  };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
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
