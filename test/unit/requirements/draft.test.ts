import { describe, expect, it } from "vitest";
import {
  draftNotes,
  draftRequirements,
  parseRequirements,
  readRequirements,
  requirementsAddition,
  type ExistingRequirements,
  type InterpreterPackages,
} from "../../../src/core/requirements";

/** What a probe of an interpreter with numpy, scikit-learn, Pillow and PyYAML says (names normalised). */
const interpreter: InterpreterPackages = {
  distributions: {
    numpy: "2.2.6",
    "scikit-learn": "1.7.2",
    pillow: "11.0.0",
    pyyaml: "6.0.2",
    scipy: "1.15.3",
  },
  moduleDistributions: {
    numpy: ["numpy"],
    sklearn: ["scikit-learn"],
    PIL: ["pillow"],
    yaml: ["pyyaml"],
    scipy: ["scipy"],
  },
  stdlibModules: ["json", "os", "sys", "pathlib"],
};

describe("drafting requirements from a notebook's imports", () => {
  it("names each import by its distribution, pinned to the interpreter's version, by name", () => {
    const drafted = draftRequirements({
      imports: ["numpy", "sklearn", "PIL", "yaml"],
      localModules: [],
      notebookRequirements: [],
      interpreter,
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual([
      "numpy==2.2.6",
      "pillow==11.0.0",
      "pyyaml==6.0.2",
      "scikit-learn==1.7.2",
    ]);
    expect(drafted.notInstalled).toEqual([]);
  });

  it("leaves out the standard library, modules beside the notebook and what its %pip lines install", () => {
    const drafted = draftRequirements({
      imports: ["os", "json", "helpers", "numpy", "sklearn", "scipy"],
      localModules: ["helpers"],
      notebookRequirements: ["-q", "Scikit_Learn==1.7.2", "--index-url https://example.com/simple"],
      interpreter,
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual([
      "numpy==2.2.6",
      "scipy==1.15.3",
    ]);
  });

  it("says which imports the interpreter does not have instead of guessing their distribution", () => {
    const drafted = draftRequirements({
      imports: ["numpy", "torchvision_extras"],
      localModules: [],
      notebookRequirements: [],
      interpreter,
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual(["numpy==2.2.6"]);
    expect(drafted.notInstalled).toEqual(["torchvision_extras"]);
  });

  it("without an interpreter, names distributions by the built-in table, unpinned, and skips the standard library", () => {
    const drafted = draftRequirements({
      imports: ["cv2", "sklearn", "numpy", "collections", "itertools"],
      localModules: [],
      notebookRequirements: [],
    });
    expect(drafted.requirements).toEqual([
      { module: "numpy", distribution: "numpy", line: "numpy" },
      { module: "cv2", distribution: "opencv-python", line: "opencv-python" },
      { module: "sklearn", distribution: "scikit-learn", line: "scikit-learn" },
    ]);
  });

  it("lists a distribution once when two of its modules are imported", () => {
    const drafted = draftRequirements({
      imports: ["google_a", "google_b"],
      localModules: [],
      notebookRequirements: [],
      interpreter: {
        ...interpreter,
        distributions: { protobuf: "5.29.0" },
        moduleDistributions: { google_a: ["protobuf"], google_b: ["protobuf"] },
      },
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual(["protobuf==5.29.0"]);
  });

  it("without an interpreter, drafts no private module and no name pip would refuse", () => {
    const drafted = draftRequirements({
      imports: ["_thread", "__main__", "_cffi_backend", "numpy", "données"],
      localModules: [],
      notebookRequirements: [],
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual(["numpy"]);
    expect(drafted.unresolved).toEqual(["données"]);
  });

  it("with an interpreter, names a private module by the distribution the probe says provides it", () => {
    const drafted = draftRequirements({
      imports: ["_cffi_backend"],
      localModules: [],
      notebookRequirements: [],
      interpreter: {
        ...interpreter,
        distributions: { cffi: "1.17.1" },
        moduleDistributions: { _cffi_backend: ["cffi"] },
      },
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual(["cffi==1.17.1"]);
  });
});

describe("a package several distributions share (google)", () => {
  /** An interpreter with google-cloud-storage, google-api-core and protobuf: all three install into google/. */
  const google: InterpreterPackages = {
    ...interpreter,
    distributions: { "google-api-core": "2.24.0", "google-cloud-storage": "2.19.0", protobuf: "5.29.0" },
    moduleDistributions: { google: ["google-api-core", "google-cloud-storage", "protobuf"] },
    submoduleDistributions: {
      "google.api_core": ["google-api-core"],
      "google.cloud": ["google-cloud-storage"],
      "google.cloud.storage": ["google-cloud-storage"],
      "google.protobuf": ["protobuf"],
      "google.protobuf.json_format": ["protobuf"],
    },
  };

  it("names the distribution with files in the part imported, not the first that installs into google/", () => {
    const drafted = draftRequirements({
      imports: ["google.cloud.storage", "google.protobuf.json_format.MessageToDict"],
      localModules: [],
      notebookRequirements: [],
      interpreter: google,
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual([
      "google-cloud-storage==2.19.0",
      "protobuf==5.29.0",
    ]);
    expect(drafted.unresolved).toEqual([]);
  });

  it("leaves out and names an import the probe cannot place under one distribution", () => {
    const shared = {
      ...google,
      submoduleDistributions: { ...google.submoduleDistributions, "google.cloud": ["a", "b"] },
    };
    const drafted = draftRequirements({
      imports: ["google", "google.cloud.bigquery"],
      localModules: [],
      notebookRequirements: [],
      interpreter: shared,
    });
    expect(drafted.requirements).toEqual([]);
    expect(drafted.unresolved).toEqual(["google", "google.cloud"]);
    const older = { ...google, submoduleDistributions: undefined };
    expect(
      draftRequirements({
        imports: ["google.cloud.storage"],
        localModules: [],
        notebookRequirements: [],
        interpreter: older,
      }).unresolved,
    ).toEqual(["google.cloud.storage"]);
  });

  it("without an interpreter never drafts google", () => {
    const drafted = draftRequirements({
      imports: ["google.cloud.storage", "numpy"],
      localModules: [],
      notebookRequirements: [],
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual(["numpy"]);
    expect(drafted.unresolved).toEqual(["google.cloud.storage"]);
  });
});

describe("what a draft leaves out", () => {
  it("leaves out the project's own editable or local install, and names it", () => {
    const drafted = draftRequirements({
      imports: ["numpy", "forecastlib"],
      localModules: [],
      notebookRequirements: [],
      interpreter: {
        ...interpreter,
        distributions: { ...interpreter.distributions, forecastlib: "0.1.0" },
        moduleDistributions: { ...interpreter.moduleDistributions, forecastlib: ["forecastlib"] },
        localDistributions: ["forecastlib"],
      },
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual(["numpy==2.2.6"]);
    expect(drafted.localInstalls).toEqual(["forecastlib"]);
    expect(draftNotes(drafted).join(" ")).toContain(
      "forecastlib is installed from a folder on this machine (an editable or local install), not from an index, so it was left out",
    );
  });

  it("leaves out a folder beside the notebook without __init__.py, unless an installed distribution provides that package", () => {
    const drafted = draftRequirements({
      imports: ["data", "numpy"],
      localModules: [],
      localNamespaces: ["data", "numpy"],
      notebookRequirements: [],
      interpreter,
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual(["numpy==2.2.6"]);
    expect(drafted.notInstalled).toEqual([]);
  });

  it("says that a local version label needs the index it came from", () => {
    const drafted = draftRequirements({
      imports: ["torch"],
      localModules: [],
      notebookRequirements: [],
      interpreter: {
        ...interpreter,
        distributions: { torch: "2.5.1+cu121" },
        moduleDistributions: { torch: ["torch"] },
      },
    });
    expect(drafted.requirements.map((requirement) => requirement.line)).toEqual(["torch==2.5.1+cu121"]);
    expect(draftNotes(drafted)).toEqual([
      'torch==2.5.1+cu121 has a local version label (after "+"), which PyPI does not serve: add the index it came from to requirements.txt (--extra-index-url; PyTorch\'s +cu121 builds come from https://download.pytorch.org/whl/cu121).',
    ]);
  });

  it("says the requirements are not pinned when the interpreter was not run, and nothing when all is pinned", () => {
    const unpinned = draftRequirements({ imports: ["numpy"], localModules: [], notebookRequirements: [] });
    expect(draftNotes(unpinned)[0]).toMatch(
      /^The requirements are not pinned, as the interpreter was not run/,
    );
    const pinned = draftRequirements({
      imports: ["numpy"],
      localModules: [],
      notebookRequirements: [],
      interpreter,
    });
    expect(draftNotes(pinned)).toEqual([]);
  });
});

/** Python's str.splitlines(), as pip splits a requirements file into lines. */
function splitLines(text: string): string[] {
  const breaks = [0x0a, 0x0d, 0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029];
  const lines = [""];
  for (const char of text.replace(/\r\n/g, "\n")) {
    if (breaks.includes(char.codePointAt(0)!)) lines.push("");
    else lines[lines.length - 1] += char;
  }
  return lines;
}

/** A requirements file as the app reads it: `files` by path, the first the file itself, -r followed. */
async function existing(files: Record<string, string>): Promise<ExistingRequirements> {
  const [file, text] = Object.entries(files)[0]!;
  const texts = [text];
  const parsed = await readRequirements([{ file, text }], {
    projectDir: "/p",
    reader: {
      read: async (included) => {
        const found = files[included];
        if (found !== undefined) texts.push(found);
        return found;
      },
      kind: async (entry) => (entry in files ? "file" : undefined),
    },
  });
  return { text, parsed, texts };
}

describe("adding drafted requirements to requirements.txt", () => {
  const wanted = draftRequirements({
    imports: ["numpy", "sklearn"],
    localModules: [],
    notebookRequirements: [],
    interpreter,
  }).requirements;

  it("writes a new file with a header and one pinned line each", () => {
    expect(requirementsAddition(undefined, wanted, "explore.ipynb")).toEqual({
      text: "# What explore.ipynb imports, pinned to the versions of its interpreter (Parity: Create Profile).\nnumpy==2.2.6\nscikit-learn==1.7.2\n",
      added: wanted,
      needHashes: [],
    });
  });

  it("says in a new file's header that nothing is pinned when the interpreter was not run", () => {
    const unpinned = draftRequirements({ imports: ["numpy"], localModules: [], notebookRequirements: [] });
    const { text } = requirementsAddition(undefined, unpinned.requirements, "explore.ipynb");
    expect(text.split("\n")[0]).toBe(
      "# What explore.ipynb imports, not pinned: its interpreter was not run (Parity: Create Profile).",
    );
    expect(text).not.toContain("pinned to");
  });

  it("keeps a notebook's name from starting a line of its own in the header", () => {
    const name = "x\n--extra-index-url https://evil/simple\r\u2028-i https://evil\u0085\u000b\u001c.ipynb";
    const { text } = requirementsAddition(undefined, wanted, name);
    const lines = splitLines(text);
    expect(lines.filter((line) => line.startsWith("#"))).toHaveLength(1);
    expect(lines.filter((line) => !line.startsWith("#"))).toEqual([
      "numpy==2.2.6",
      "scikit-learn==1.7.2",
      "",
    ]);
    expect(parseRequirements(text).options).toEqual([]);
  });

  it("keeps every line already there and adds only the distributions it does not name, in its line endings", async () => {
    const current = await existing({ "/p/requirements.txt": "# ours\r\nNumPy>=1.26  # any recent one" });
    const addition = requirementsAddition(current, wanted, "unused");
    expect(addition.text).toBe("\r\nscikit-learn==1.7.2\r\n");
    expect(addition.added.map((requirement) => requirement.distribution)).toEqual(["scikit-learn"]);
    expect(
      requirementsAddition(await existing({ "/p/r.txt": "pandas==2.2.3\n" }), wanted, "unused").text,
    ).toBe("numpy==2.2.6\nscikit-learn==1.7.2\n");
  });

  it("counts what a file it includes (-r) lists, however deep", async () => {
    const current = await existing({
      "/p/requirements.txt": "-r base.txt\n",
      "/p/base.txt": "--requirement deeper/ml.txt\n",
      "/p/deeper/ml.txt": "scikit-learn~=1.7\n",
    });
    expect(
      requirementsAddition(current, wanted, "unused").added.map((requirement) => requirement.line),
    ).toEqual(["numpy==2.2.6"]);
  });

  it("counts a URL requirement with a name as listed, and adds nothing when everything is", async () => {
    const current = await existing({
      "/p/requirements.txt":
        "numpy==1.26.4\nscikit-learn @ https://example.com/scikit_learn-1.7.2-py3-none-any.whl\n",
    });
    expect(requirementsAddition(current, wanted, "unused")).toEqual({ text: "", added: [], needHashes: [] });
  });

  it("adds nothing to a hash-checked file, and says which lines it needs", async () => {
    const hashed = await existing({
      "/p/requirements.txt": "-r locked.txt\n",
      "/p/locked.txt": "numpy==2.2.6 \\\n    --hash=sha256:0123456789abcdef\n",
    });
    expect(requirementsAddition(hashed, wanted, "unused")).toEqual({
      text: "",
      added: [],
      needHashes: wanted.filter((requirement) => requirement.distribution === "scikit-learn"),
    });
    const required = await existing({ "/p/requirements.txt": "--require-hashes\npandas==2.2.3\n" });
    expect(requirementsAddition(required, wanted, "unused").needHashes).toHaveLength(2);
    const commented = await existing({ "/p/requirements.txt": "pandas==2.2.3  # add --hash= later\n" });
    expect(requirementsAddition(commented, wanted, "unused").added).toHaveLength(2);
  });
});
