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

  it("reports includes and constraints as written, for readRequirements to follow", () => {
    expect(parsed.includes).toEqual([
      { kind: "requirements", path: "base.txt", line: 3 },
      { kind: "constraints", path: "constraints.txt", line: 4 },
    ]);
    expect(parsed.options).toEqual([{ name: "--index-url", value: "https://pypi.org/simple", line: 2 }]);
  });

  it("reports URL, VCS and path lines as unpinnable, noting commit pins, and local paths to take", () => {
    expect(parsed.unpinnable.map((u) => [u.line, u.kind, u.normalizedName, u.commit])).toEqual([
      [15, "vcs", "featurize", undefined],
      [16, "vcs", "metrics", "3f2a9c1d"],
      [17, "url", "wheelhouse", undefined],
      [18, "path", undefined, undefined],
    ]);
    expect(parsed.localPaths).toEqual([{ path: "./vendor/localpkg", kind: "package", line: 18 }]);
  });

  it("keeps invalid lines as problems instead of throwing, an editable install among them", () => {
    expect(parsed.problems).toMatchObject([
      {
        line: 19,
        text: "-e .",
        field: "-e",
        message: expect.stringContaining("-e . asks for an editable install"),
        fix: expect.stringContaining("Drop -e"),
      },
      { line: 20, text: "numpy = 1.26", message: '"numpy = 1.26" is not a valid requirement' },
    ]);
  });

  it("accepts -rfile and parenthesised specifiers, and ignores blank and comment-only input", () => {
    const other = parseRequirements("-rdev.txt\nflask (>=3.0)\n\n   # nothing\n");
    expect(other.includes).toEqual([{ kind: "requirements", path: "dev.txt", line: 1 }]);
    expect(other.requirements[0]!.specifiers).toEqual([{ operator: ">=", version: "3.0" }]);
    expect(parseRequirements("# only a comment\n\n")).toEqual({
      file: "requirements.txt",
      files: ["requirements.txt"],
      requirements: [],
      constraints: [],
      unpinnable: [],
      includes: [],
      options: [],
      localPaths: [],
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
      expect(parsed.problems).toMatchObject([{ line: 2, text }]);
      expect(parsed.requirements.map((requirement) => requirement.name)).toEqual(["pandas"]);
    },
  );
});

describe("pip's own rules", () => {
  it("joins continuations without a space, and a comment line ends one", () => {
    const parsed = parseRequirements("num\\\npy==1.26.4\nrequests \\\n# a comment\nsix\n");
    expect(parsed.requirements.map((r) => [r.line, r.text])).toEqual([
      [1, "numpy==1.26.4"],
      [3, "requests"],
      [5, "six"],
    ]);
  });

  it("keeps a URL's fragment and a '#' that follows no space, and drops a comment after a space", () => {
    const parsed = parseRequirements("git+https://host/r.git#egg=pkg # the package\n");
    expect(parsed.unpinnable).toEqual([
      { kind: "vcs", normalizedName: "pkg", line: 1, text: "git+https://host/r.git#egg=pkg" },
    ]);
  });

  it("reads every form optparse accepts: =value, a separate word, -xVALUE and abbreviations", () => {
    const parsed = parseRequirements(
      [
        "--extra-index-url=https://a.example/simple",
        "-i https://b.example/simple",
        "--extra-index https://c.example/simple",
        "--trusted-host a.example:8080",
        "-f https://d.example/wheels/",
        "--no-index",
        "--pre",
        "--only-binary :all:",
        "-rbase.txt",
        "--requirement=dev.txt",
        '-c "my constraints.txt"',
      ].join("\n"),
    );
    expect(parsed.options.map((o) => [o.name, o.value])).toEqual([
      ["--extra-index-url", "https://a.example/simple"],
      ["--index-url", "https://b.example/simple"],
      ["--extra-index-url", "https://c.example/simple"],
      ["--trusted-host", "a.example:8080"],
      ["--find-links", "https://d.example/wheels/"],
      ["--no-index", undefined],
      ["--pre", undefined],
      ["--only-binary", ":all:"],
    ]);
    expect(parsed.includes.map((i) => [i.kind, i.path])).toEqual([
      ["requirements", "base.txt"],
      ["requirements", "dev.txt"],
      ["constraints", "my constraints.txt"],
    ]);
    expect(parsed.problems).toEqual([]);
  });

  it("takes per-requirement options on the requirement's line", () => {
    const parsed = parseRequirements("six==1.16.0 --hash=sha256:abc --hash sha256:def\n");
    expect(parsed.requirements.map((r) => r.text)).toEqual(["six==1.16.0"]);
    expect(parsed.problems).toEqual([]);
  });

  it("marks a local --find-links folder as a path to take into the build", () => {
    expect(parseRequirements("--find-links ./wheels\n").localPaths).toEqual([
      { path: "./wheels", kind: "find-links", line: 1 },
    ]);
  });

  it.each([
    ["numpy; rm -rf /", 'the marker "rm" is not valid (at "rm")', undefined],
    [
      'numpy; python_version >= "3.9" and',
      'the marker "python_version >= \\"3.9\\" and" is not valid',
      undefined,
    ],
    ["--index-url mirror/simple", "--index-url mirror/simple is not an http(s) URL", "--index-url"],
    ["--index-url", "--index-url needs a value", undefined],
    ["--extra-index-url ftp://x.example/", "is not an http(s) URL", "--extra-index-url"],
    ["--trusted-host 'a b'", "--trusted-host a b is not a host name", "--trusted-host"],
    ["--target /tmp", "pip has no option --target in requirement files", undefined],
    ["--no", "--no is ambiguous: it could be --no-index, --no-binary", undefined],
    ["--pre numpy", 'pip would ignore "numpy" after --pre', undefined],
    ["numpy --index-url https://x.example", "--index-url cannot follow a requirement", "--index-url"],
    ["--hash=sha256:abc", "--hash belongs on the line of the requirement", "--hash"],
    ["--index-url https://${TOKEN}@x.example/simple", "${TOKEN} is an environment variable", undefined],
    ["/opt/pkgs/mine.whl", "/opt/pkgs/mine.whl is an absolute path on this machine", undefined],
    ["mine @ file:///opt/pkgs/mine.whl", "a file: URL names a place on this machine", undefined],
    ["-r https://x.example/r.txt", "Parity reads requirement files from the project only", "-r"],
    ["-e git+https://host/r.git#egg=pkg", "an editable install", "-e"],
    ["-r 'unclosed", "the quote ' is never closed", undefined],
  ])("refuses %j at its line, saying why", (text, message, field) => {
    const [problem, ...others] = parseRequirements(`six==1.16.0\n${text}\n`).problems;
    expect(others).toEqual([]);
    expect(problem).toMatchObject({ line: 2, text });
    expect(problem!.message).toContain(message);
    expect(problem!.field).toBe(field);
  });

  it("accepts valid markers, old spellings and 'not in' among them", () => {
    const parsed = parseRequirements(
      [
        'a; python_version < "3.10" and (sys_platform == "linux" or os_name != "nt")',
        "b; 'linux' not in sys.platform",
        'c; extra == "gpu"',
        'git+https://host/r.git#egg=d ; python_version >= "3"',
      ].join("\n"),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.requirements.map((r) => r.marker)).toEqual([
      'python_version < "3.10" and (sys_platform == "linux" or os_name != "nt")',
      "'linux' not in sys.platform",
      'extra == "gpu"',
    ]);
  });
});
