import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  profileWriteRoots,
  refuseUnsaved,
  refuseWritesOutside,
} from "../../../src/commands/profile/writeScope";

describe("where Create Profile may write", () => {
  const base = mkdtempSync(path.join(tmpdir(), "parity-profile-scope-"));
  const workspace = path.join(base, "repo");
  const outside = path.join(base, "home");
  mkdirSync(path.join(workspace, "analysis"), { recursive: true });
  mkdirSync(outside, { recursive: true });
  // An untrusted repository's folder and requirements.txt that link out of it.
  symlinkSync(outside, path.join(workspace, "linked"));
  writeFileSync(path.join(outside, "requirements.txt"), "");
  symlinkSync(path.join(outside, "requirements.txt"), path.join(workspace, "analysis", "requirements.txt"));
  const roots = [{ name: "repo", path: workspace }];
  const refusal = (files: string[], notebook?: string) =>
    refuseWritesOutside(files, profileWriteRoots(notebook, roots)).then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    );

  it("writes parity.yaml and a new requirements.txt inside the workspace folders", async () => {
    const notebook = path.join(workspace, "analysis", "a.ipynb");
    expect(await refusal([path.join(workspace, "analysis", "parity.yaml")], notebook)).toBeUndefined();
    expect(await refusal([path.join(workspace, "new", "requirements.txt")], notebook)).toBeUndefined();
  });

  it("refuses a folder, or a requirements.txt, that links out of the workspace", async () => {
    const notebook = path.join(workspace, "linked", "a.ipynb");
    expect(await refusal([path.join(workspace, "linked", "parity.yaml")], notebook)).toMatch(
      /^Parity did not create the profile: .*linked\/parity\.yaml leads outside this workspace's folders through a symbolic link/,
    );
    expect(await refusal([path.join(workspace, "analysis", "requirements.txt")])).toMatch(/leads outside/);
  });

  it("writes beside a notebook outside every workspace folder, and only there", async () => {
    const notebook = path.join(outside, "a.ipynb");
    expect(profileWriteRoots(notebook, roots)).toEqual([workspace, outside]);
    expect(profileWriteRoots(path.join(workspace, "linked", "a.ipynb"), roots)).toEqual([workspace]);
    expect(await refusal([path.join(outside, "parity.yaml")], notebook)).toBeUndefined();
    expect(await refusal([path.join(base, "parity.yaml")], notebook)).toMatch(/leads outside/);
  });

  it("never saves a requirements.txt with unsaved changes: the user saves or reverts it first", () => {
    const document = { isDirty: true, uri: { fsPath: path.join(workspace, "analysis", "requirements.txt") } };
    expect(() => refuseUnsaved(document)).toThrow(
      "requirements.txt has unsaved changes, so Parity did not add the notebook's imports to it.",
    );
    expect(() => refuseUnsaved({ ...document, isDirty: false })).not.toThrow();
    expect(() => refuseUnsaved(undefined)).not.toThrow();
  });
});
