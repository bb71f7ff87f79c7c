import { describe, expect, it } from "vitest";
import { buildParityReport } from "../../../src/core/parity/buildParityReport";
import { resolveParityEdit } from "../../../src/core/parity/edits";
import type { ParityItem } from "../../../src/core/parity/types";
import { parseRequirements } from "../../../src/core/requirements/parseRequirements";
import { PINNED_REQUIREMENTS, imageEnvironment, matchingInput, matchingLocalEnvironment } from "./fixtures";

function only(items: ParityItem[], code: string): ParityItem {
  const found = items.filter((item) => item.code === code);
  expect(found, JSON.stringify(items, null, 1)).toHaveLength(1);
  return found[0]!;
}

describe("applicable fixes on parity items", () => {
  it("pins an unpinned requirement where it was written, keeping extras and marker", () => {
    const text = PINNED_REQUIREMENTS.replace(
      "numpy==1.26.4",
      'numpy[extra]>=1.24 ; python_version >= "3.9"  # fast',
    );
    const report = buildParityReport(matchingInput({ requirements: parseRequirements(text) }));

    const edit = only(report.items, "RequirementUnpinned").edit!;
    expect(edit).toEqual({
      title: "Pin numpy==1.26.4 in requirements.txt",
      file: "requirements.txt",
      line: 3,
      oldText: 'numpy[extra]>=1.24 ; python_version >= "3.9"',
      newText: 'numpy[extra]==1.26.4 ; python_version >= "3.9"',
    });
    const resolved = resolveParityEdit(edit, text);
    expect(resolved.ok).toBe(true);
    if (resolved.ok) {
      expect(applyChange(text, resolved.change)).toBe(
        PINNED_REQUIREMENTS.replace(
          "numpy==1.26.4",
          'numpy[extra]==1.26.4 ; python_version >= "3.9"  # fast',
        ),
      );
    }
  });

  it("pins the image's version when the notebook's differs from an unpinned requirement", () => {
    const local = matchingLocalEnvironment();
    local.distributions = { ...local.distributions, pandas: "2.1.0" };
    const requirements = parseRequirements(PINNED_REQUIREMENTS.replace("pandas==2.2.2", "pandas"));
    const report = buildParityReport(matchingInput({ local, requirements }));

    expect(only(report.items, "PackageVersion").edit).toMatchObject({
      line: 4,
      oldText: "pandas",
      newText: "pandas==2.2.2",
    });
  });

  it("offers no edit for a version difference that only pip install in the notebook's environment fixes", () => {
    const local = matchingLocalEnvironment();
    local.distributions = { ...local.distributions, pandas: "2.1.0" };
    const report = buildParityReport(matchingInput({ local }));

    expect(only(report.items, "PackageVersion").edit).toBeUndefined();
  });

  it("appends a missing import with the notebook's version, and none when the version is unknown", () => {
    const requirements = parseRequirements("numpy==1.26.4\ntorch==2.3.1+cu121\npandas==2.2.2\n");
    const report = buildParityReport(
      matchingInput({ image: undefined, requirements, notebookImports: ["sklearn", "polars"] }),
    );
    const missing = report.items.filter((item) => item.code === "ImportMissingRequirements");

    expect(missing.map((item) => item.edit)).toEqual([
      undefined,
      {
        title: "Add scikit-learn==1.5.0 to requirements.txt",
        file: "requirements.txt",
        newText: "scikit-learn==1.5.0",
      },
    ]);
  });

  it("leaves requirements from a notebook's %pip lines to the user", () => {
    const requirements = parseRequirements(PINNED_REQUIREMENTS);
    requirements.requirements.push({
      ...parseRequirements("polars").requirements[0]!,
      file: "train.ipynb",
      line: 0,
    });
    const image = imageEnvironment();
    image.distributions = { ...image.distributions, polars: "1.0.0" };
    const report = buildParityReport(matchingInput({ image, requirements }));

    expect(only(report.items, "RequirementUnpinned").edit).toBeUndefined();
  });
});

describe("resolveParityEdit", () => {
  const pin = { title: "Pin", file: "requirements.txt", line: 2, oldText: "numpy", newText: "numpy==1.26.4" };

  it("replaces only the requirement on its line, in a CRLF file too", () => {
    const text = "torch==2.3.1\r\nnumpy  # math\r\n";
    const resolved = resolveParityEdit(pin, text);

    expect(resolved).toEqual({
      ok: true,
      change: {
        file: "requirements.txt",
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } },
        text: "numpy==1.26.4",
      },
    });
  });

  it("refuses when the line no longer has what the report saw", () => {
    const resolved = resolveParityEdit(pin, "torch==2.3.1\npandas\n");

    expect(resolved).toEqual({
      ok: false,
      reason:
        'requirements.txt changed since the report was made: line 2 no longer reads "numpy". Check parity again, then apply the fix.',
    });
    expect(resolveParityEdit(pin, undefined).ok).toBe(false);
  });

  it("appends a line, adding the missing newline first, in the file's own line ending", () => {
    const add = { title: "Add", file: "requirements.txt", newText: "scikit-learn==1.5.0" };

    expect(applyResolved(add, "numpy==1.26.4")).toBe("numpy==1.26.4\nscikit-learn==1.5.0\n");
    expect(applyResolved(add, "numpy==1.26.4\r\n")).toBe("numpy==1.26.4\r\nscikit-learn==1.5.0\r\n");
    expect(applyResolved(add, "")).toBe("scikit-learn==1.5.0\n");
    expect(resolveParityEdit(add, undefined)).toMatchObject({
      ok: true,
      change: { createFile: true, text: "scikit-learn==1.5.0\n" },
    });
    expect(resolveParityEdit(add, "scikit-learn==1.5.0\n")).toMatchObject({ ok: false });
  });
});

function applyResolved(edit: Parameters<typeof resolveParityEdit>[0], text: string): string {
  const resolved = resolveParityEdit(edit, text);
  if (!resolved.ok) throw new Error(resolved.reason);
  return applyChange(text, resolved.change);
}

/** Applies a change the way an editor does, by 0-based line and character. */
function applyChange(
  text: string,
  change: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    text: string;
  },
): string {
  const offset = (position: { line: number; character: number }) =>
    text.split("\n").slice(0, position.line).join("\n").length +
    (position.line > 0 ? 1 : 0) +
    position.character;
  return text.slice(0, offset(change.range.start)) + change.text + text.slice(offset(change.range.end));
}
