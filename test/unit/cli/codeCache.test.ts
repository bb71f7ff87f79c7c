import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../../..");
const run = promisify(execFile);

// bin/parity.js starts the CLI bundle from V8's code cache (kept under $XDG_CACHE_HOME/parity/v8).
describe("the parity command's code cache", () => {
  const cacheHome = mkdtempSync(path.join(tmpdir(), "parity-v8-"));
  const v8Dir = path.join(cacheHome, "parity", "v8");
  const parity = (...args: string[]) =>
    run(process.execPath, [path.join(root, "bin", "parity.js"), ...args], {
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    });

  beforeAll(async () => {
    if (!existsSync(path.join(root, "dist", "cli.js")))
      await run(process.execPath, ["esbuild.mjs"], { cwd: root });
  }, 120_000);
  afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

  it("is written by the first command and used by the next, with the same answers", async () => {
    const first = await parity("--version");
    const files = readdirSync(v8Dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^cli-[0-9a-f]{16}\.bin$/);
    const second = await parity("--version");
    expect(second.stdout).toBe(first.stdout);
    expect(readdirSync(v8Dir)).toEqual(files);
  });

  it("that is damaged is compiled again and replaced, and the command still works", async () => {
    await parity("--version");
    const [file] = readdirSync(v8Dir);
    writeFileSync(path.join(v8Dir, file!), "not a code cache");
    const { stdout } = await parity("run", "--help");
    expect(stdout).toMatch(/^Usage: parity run <notebook>/);
    expect(readFileSync(path.join(v8Dir, file!), "utf8")).not.toBe("not a code cache");
    const { stdout: again } = await parity("--version");
    expect(again.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readdirSync(v8Dir)).toEqual([file]);
  });

  it("of an earlier bundle is removed when the new one is written", async () => {
    await parity("--version");
    const stale = path.join(v8Dir, "cli-0123456789abcdef.bin");
    writeFileSync(stale, "an earlier bundle's cache");
    const [current] = readdirSync(v8Dir).filter((name) => name !== path.basename(stale));
    rmSync(path.join(v8Dir, current!));
    await parity("--version");
    expect(readdirSync(v8Dir)).toEqual([current]);
  });

  it("that cannot be written leaves the command working", async () => {
    const blocked = mkdtempSync(path.join(tmpdir(), "parity-v8-blocked-"));
    writeFileSync(path.join(blocked, "parity"), "a file where the cache folder would be");
    try {
      const { stdout } = await run(process.execPath, [path.join(root, "bin", "parity.js"), "--version"], {
        env: { ...process.env, XDG_CACHE_HOME: blocked },
      });
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    } finally {
      rmSync(blocked, { recursive: true, force: true });
    }
  });
});
