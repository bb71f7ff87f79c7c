import { mkdir, mkdtemp, realpath, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realPathOf } from "../../../src/app/store/realPath";

describe("realPathOf", () => {
  let root: string;
  beforeAll(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), "parity-realpath-")));
    await mkdir(path.join(root, "real", "deep"), { recursive: true });
    await symlink(path.join(root, "real"), path.join(root, "abs"));
    await symlink("../real/deep", path.join(root, "real", "rel"));
    await symlink(path.join(root, "later"), path.join(root, "dangling"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("follows symlinks in the existing part and keeps the rest as written", async () => {
    expect(await realPathOf(path.join(root, "abs", "new", "folder"))).toBe(
      path.join(root, "real", "new", "folder"),
    );
  });

  it("resolves a relative symlink from where it really is", async () => {
    expect(await realPathOf(path.join(root, "abs", "rel", "x"))).toBe(path.join(root, "real", "deep", "x"));
  });

  it("follows a symlink whose target does not exist yet, as mkdir would", async () => {
    expect(await realPathOf(path.join(root, "dangling", "sub"))).toBe(path.join(root, "later", "sub"));
  });
});
