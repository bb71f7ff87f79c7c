import { describe, expect, it } from "vitest";
import { distributionForImport, normalizeName } from "../../../src/core/requirements/names";
import { parseRequirements } from "../../../src/core/requirements/parseRequirements";

const REQUIREMENTS = `# training image
--index-url https://pypi.org/simple
-r base.txt
--constraint=constraints.txt

torch==2.3.1+cu121  # CUDA build
numpy>=1.24,<2
Scikit_Learn ~= 1.5.0
pandas[parquet, performance]==2.2.2 ; python_version >= "3.9"
requests
pywin32==306; sys_platform == "win32"
tensorboard==2.16.2 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
git+https://github.com/acme/featurize.git@main#egg=featurize
metrics @ git+ssh://git@github.com/acme/metrics.git@3f2a9c1d
wheelhouse @ https://files.example.com/wheelhouse-1.0-py3-none-any.whl
./vendor/localpkg
-e .
numpy = 1.26
`;

describe("parseRequirements", () => {
  const parsed = parseRequirements(REQUIREMENTS, "requirements.txt");

  it("parses names, extras, specifiers, markers and pins with their line numbers", () => {
    expect(parsed.requirements.map((r) => [r.line, r.normalizedName, r.pinnedVersion])).toEqual([
      [6, "torch", "2.3.1+cu121"],
      [7, "numpy", undefined],
      [8, "scikit-learn", undefined],
      [9, "pandas", "2.2.2"],
      [10, "requests", undefined],
      [11, "pywin32", "306"],
      [12, "tensorboard", "2.16.2"],
    ]);
    const pandas = parsed.requirements[3]!;
    expect(pandas).toMatchObject({
      name: "pandas",
      extras: ["parquet", "performance"],
      specifiers: [{ operator: "==", version: "2.2.2" }],
      marker: 'python_version >= "3.9"',
    });
    expect(parsed.requirements[1]!.specifiers).toEqual([
      { operator: ">=", version: "1.24" },
      { operator: "<", version: "2" },
    ]);
    expect(parsed.requirements[2]!.specifiers).toEqual([{ operator: "~=", version: "1.5.0" }]);
    expect(parsed.requirements[0]!.text).toBe("torch==2.3.1+cu121");
  });

  it("reports includes and constraints without following them", () => {
    expect(parsed.includes).toEqual([
      { kind: "requirements", path: "base.txt", line: 3 },
      { kind: "constraints", path: "constraints.txt", line: 4 },
    ]);
  });

  it("reports URL, VCS, path and editable lines as unpinnable, noting commit pins", () => {
    expect(parsed.unpinnable.map((u) => [u.line, u.kind, u.normalizedName, u.commit])).toEqual([
      [15, "vcs", "featurize", undefined],
      [16, "vcs", "metrics", "3f2a9c1d"],
      [17, "url", "wheelhouse", undefined],
      [18, "path", undefined, undefined],
      [19, "editable", undefined, undefined],
    ]);
  });

  it("keeps invalid lines as problems instead of throwing", () => {
    expect(parsed.problems).toEqual([
      { line: 20, text: "numpy = 1.26", message: '"numpy = 1.26" is not a valid requirement' },
    ]);
  });

  it("accepts -rfile and parenthesised specifiers, and ignores blank and comment-only input", () => {
    const other = parseRequirements("-rdev.txt\nflask (>=3.0)\n\n   # nothing\n");
    expect(other.includes).toEqual([{ kind: "requirements", path: "dev.txt", line: 1 }]);
    expect(other.requirements[0]!.specifiers).toEqual([{ operator: ">=", version: "3.0" }]);
    expect(parseRequirements("# only a comment\n\n")).toEqual({
      file: "requirements.txt",
      requirements: [],
      unpinnable: [],
      includes: [],
      problems: [],
    });
  });

  it("treats == with a wildcard as unpinned and === as pinned", () => {
    const pins = parseRequirements("numpy==1.26.*\nlegacy===1.0-custom\n").requirements.map(
      (r) => r.pinnedVersion,
    );
    expect(pins).toEqual([undefined, "1.0-custom"]);
  });
});

describe("names", () => {
  it("normalises per PEP 503", () => {
    expect(["Scikit_Learn", "ruamel.yaml", "typing__extensions", " PyYAML "].map(normalizeName)).toEqual([
      "scikit-learn",
      "ruamel-yaml",
      "typing-extensions",
      "pyyaml",
    ]);
  });

  it("maps imports to distributions: probed mapping first, then the built-in table, then the name", () => {
    expect(distributionForImport("yaml", { yaml: ["PyYAML"] })).toBe("pyyaml");
    expect(distributionForImport("sklearn")).toBe("scikit-learn");
    expect(distributionForImport("cv2", { cv2: ["opencv-python-headless"] })).toBe("opencv-python-headless");
    expect(distributionForImport("PIL")).toBe("pillow");
    expect(distributionForImport("numpy")).toBe("numpy");
  });
});

describe("malformed specifiers and markers", () => {
  it.each(["numpy>>1", "numpy>=1;;", "numpy>=1;", "numpy==", "numpy<=>1"])(
    "refuses %s at its line",
    (text) => {
      const parsed = parseRequirements(`pandas==2.2.2\n${text}\n`);
      expect(parsed.problems).toEqual([{ line: 2, text, message: `"${text}" is not a valid requirement` }]);
      expect(parsed.requirements.map((requirement) => requirement.name)).toEqual(["pandas"]);
    },
  );
});
