import { describe, expect, it } from "vitest";
import { suggestionEnvKey, supportedPython } from "../../../src/targets/suggestion/process";
import { SUGGESTION_REQUIREMENTS } from "../../../src/targets/suggestion/requirements";

describe("supportedPython", () => {
  it("accepts the minor versions the pinned wheels exist for", () => {
    expect(["3.11.2", "3.12.0", "3.13.7"].map((version) => supportedPython(version))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it("refuses older and newer ones, and Python 2", () => {
    expect(["3.10.13", "3.14.0", "2.7.18", "4.11.0"].map((version) => supportedPython(version))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("suggestionEnvKey", () => {
  const base = { version: "3.11.7", executable: "/usr/bin/python3.11", machine: "x86_64" };

  it("is a short folder name, the same for the same inputs", () => {
    expect(suggestionEnvKey(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(suggestionEnvKey({ ...base })).toBe(suggestionEnvKey(base));
  });

  it("changes with the interpreter, the requirements and the script", () => {
    const key = suggestionEnvKey(base);
    expect(suggestionEnvKey({ ...base, version: "3.11.8" })).not.toBe(key);
    expect(suggestionEnvKey({ ...base, executable: "/opt/python/bin/python3.11" })).not.toBe(key);
    expect(suggestionEnvKey(base, [...SUGGESTION_REQUIREMENTS, "extra==1.0"])).not.toBe(key);
    expect(suggestionEnvKey(base, SUGGESTION_REQUIREMENTS, "print('other')\n")).not.toBe(key);
  });
});
