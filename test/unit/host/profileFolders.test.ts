import { describe, expect, it } from "vitest";
import { missingProfileNode, profileNode, rowClick } from "../../../src/views/environment/environmentModel";
import {
  folderLabel,
  governedFolders,
  governingProfile,
  profileChoices,
  profilePlaces,
} from "../../../src/views/environment/profileFolders";

const roots = [{ name: "mono", path: "/mono" }];
// A monorepo: a profile at the root, one in forecast/ and one deeper in vision/models/.
const governed = governedFolders([
  "/mono/vision/models/parity.yaml",
  "/mono/forecast/parity.yml",
  "/mono/forecast/parity.yaml",
  "/mono/parity.yaml",
]);

describe("which profile governs which folder", () => {
  it("lists one profile a folder (parity.yaml before parity.yml, the other kept as ambiguous), each with the folders below it that have their own", () => {
    expect(governed).toEqual([
      { profileFile: "/mono/parity.yaml", dir: "/mono", except: ["/mono/forecast", "/mono/vision/models"] },
      {
        profileFile: "/mono/forecast/parity.yaml",
        dir: "/mono/forecast",
        except: [],
        alsoThere: "/mono/forecast/parity.yml",
      },
      { profileFile: "/mono/vision/models/parity.yaml", dir: "/mono/vision/models", except: [] },
    ]);
  });

  it("names only the nearest folders below with their own, whatever sorts between them", () => {
    const nested = governedFolders([
      "/mono/a/parity.yaml",
      "/mono/a-b/parity.yaml",
      "/mono/a/x/parity.yaml",
      "/mono/a/x/y/parity.yaml",
      "/mono/parity.yaml",
    ]);
    expect(Object.fromEntries(nested.map((folder) => [folder.dir, folder.except]))).toEqual({
      "/mono": ["/mono/a", "/mono/a-b"],
      "/mono/a": ["/mono/a/x"],
      "/mono/a/x": ["/mono/a/x/y"],
      "/mono/a/x/y": [],
      "/mono/a-b": [],
    });
  });

  it("works out thousands of profiles in one pass", () => {
    const files = Array.from({ length: 5000 }, (_, i) => `/mono/p${i}/parity.yaml`);
    const many = governedFolders(["/mono/parity.yaml", ...files]);
    expect(many[0]!.except).toHaveLength(5000);
    expect(many.slice(1).every((folder) => folder.except.length === 0)).toBe(true);
  });

  it("finds a notebook's profile as the nearest one above it", () => {
    const of = (file: string) => governingProfile(file, governed, roots)?.profileFile;
    expect(of("/mono/forecast/notebooks/deep/a.ipynb")).toBe("/mono/forecast/parity.yaml");
    expect(of("/mono/vision/models/train.ipynb")).toBe("/mono/vision/models/parity.yaml");
    expect(of("/mono/vision/explore.ipynb")).toBe("/mono/parity.yaml");
    expect(of("/mono-other/explore.ipynb")).toBeUndefined();
  });

  it("never takes a profile above the notebook's workspace folder", () => {
    const nested = [
      { name: "mono", path: "/mono" },
      { name: "analysis", path: "/mono/analysis" },
    ];
    expect(governingProfile("/mono/analysis/a.ipynb", governed, nested)).toBeUndefined();
    expect(governingProfile("/mono/analysis/a.ipynb", governed, roots)?.dir).toBe("/mono");
  });
});

describe("where a new profile for a notebook may go", () => {
  const bare = governedFolders(["/mono/forecast/parity.yaml"]);

  it("is its folder and each one above it up to the workspace folder", () => {
    expect(profilePlaces("/mono/analysis/notebooks/a.ipynb", bare, roots)).toEqual([
      "/mono/analysis/notebooks",
      "/mono/analysis",
      "/mono",
    ]);
    expect(profilePlaces("/mono/a.ipynb", bare, roots)).toEqual(["/mono"]);
  });

  it("stops below the profile that governs it now, and is nowhere when its own folder has one", () => {
    expect(profilePlaces("/mono/forecast/notebooks/a.ipynb", bare, roots)).toEqual([
      "/mono/forecast/notebooks",
    ]);
    expect(profilePlaces("/mono/forecast/a.ipynb", bare, roots)).toEqual([]);
  });

  it("is only its own folder outside the workspace folders", () => {
    expect(profilePlaces("/elsewhere/x/a.ipynb", bare, roots)).toEqual(["/elsewhere/x"]);
  });
});

describe("what Create Profile offers for a notebook", () => {
  const forecast = governedFolders(["/mono/forecast/parity.yaml"]);

  it("first opens the profile that governs it now, so that a new one never takes its place unasked", () => {
    expect(profileChoices("/mono/forecast/notebooks/a.ipynb", forecast, roots)).toEqual([
      { kind: "open", profileFile: "/mono/forecast/parity.yaml" },
      { kind: "create", dir: "/mono/forecast/notebooks" },
    ]);
  });

  it("only opens it when it is in the notebook's own folder", () => {
    expect(profileChoices("/mono/forecast/a.ipynb", forecast, roots)).toEqual([
      { kind: "open", profileFile: "/mono/forecast/parity.yaml" },
    ]);
  });

  it("offers the folders when no profile governs it", () => {
    expect(profileChoices("/mono/analysis/a.ipynb", forecast, roots)).toEqual([
      { kind: "create", dir: "/mono/analysis" },
      { kind: "create", dir: "/mono" },
    ]);
  });
});

describe("the Environment view's profile rows", () => {
  it("says a folder with both parity.yaml and parity.yml is ambiguous, as a run there would", () => {
    const [forecast] = governedFolders(["/mono/forecast/parity.yml", "/mono/forecast/parity.yaml"]);
    const node = profileNode(forecast!, roots);
    expect(node).toMatchObject({
      label: "parity.yaml and parity.yml",
      description: "forecast · ambiguous",
      contextValue: "parity:profile+file+ambiguous",
      icon: { id: "error" },
    });
    expect(node.tooltip).toContain("Parity cannot tell which one is meant");
  });

  it("names at most ten folders with their own profile in a tooltip", () => {
    const files = Array.from({ length: 25 }, (_, i) => `/mono/p${String(i).padStart(2, "0")}/parity.yaml`);
    const [root] = governedFolders(["/mono/parity.yaml", ...files]);
    const tooltip = profileNode(root!, roots).tooltip;
    expect(tooltip).toContain(
      "except p00, p01, p02, p03, p04, p05, p06, p07, p08, p09 and 15 more (they have their own)",
    );
    expect(tooltip).not.toContain("p10");
  });

  it("does nothing on a click of the row without a profile: Create Profile is its button and menu", () => {
    expect(rowClick(missingProfileNode("/mono/analysis/a.ipynb", roots))).toBeUndefined();
    const [root] = governedFolders(["/mono/parity.yaml"]);
    expect(rowClick(profileNode(root!, roots))).toEqual({
      command: "vscode.open",
      file: "/mono/parity.yaml",
    });
  });
});

describe("a folder's name in the views", () => {
  it("is relative to its workspace folder, named after it when there are several", () => {
    expect(folderLabel("/mono/analysis/notebooks", roots)).toBe("analysis/notebooks");
    expect(folderLabel("/mono", roots)).toBe("mono");
    const two = [...roots, { name: "lab", path: "/lab" }];
    expect(folderLabel("/lab/exp", two)).toBe("lab/exp");
    expect(folderLabel("/mono", two)).toBe("mono");
    expect(folderLabel("/elsewhere", two)).toBe("/elsewhere");
  });
});
