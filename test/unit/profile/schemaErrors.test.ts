import Ajv from "ajv";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import {
  closestMatch,
  createYamlLocator,
  describeSchemaErrors,
  editDistance,
  formatFieldPath,
  toFieldPath,
} from "../../../src/core/yaml";

/** A pipeline-like schema with the constructs the profile schema avoids (anyOf). */
const schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    steps: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name"],
        properties: {
          name: { type: "string" },
          retries: { anyOf: [{ type: "integer", minimum: 0 }, { const: "forever" }] },
          inputs: { anyOf: [{ type: "array", items: { type: "string" } }, { const: "all" }] },
        },
      },
    },
  },
};

function problemsFor(text: string): string[] {
  const validate = new Ajv({ allErrors: true, verbose: true }).compile(schema);
  const data = load(text);
  expect(validate(data)).toBe(false);
  const locator = createYamlLocator(text);
  return describeSchemaErrors(validate.errors ?? [], data, locator, { rootSchema: schema }).map(
    (problem) => `${locator.lineOf(problem.path)} ${formatFieldPath(problem.path)}: ${problem.message}`,
  );
}

describe("describeSchemaErrors on anyOf", () => {
  it("reports one problem when no branch fits, not one per branch", () => {
    expect(problemsFor("steps:\n  - name: a\n    retries: often\n")).toEqual([
      "3 steps[0].retries: Must match a schema in anyOf.",
    ]);
  });

  it("reports the precise error inside the branch that fits the type", () => {
    expect(problemsFor("steps:\n  - name: a\n    inputs:\n      - x\n      - 3\n")).toEqual([
      "5 steps[0].inputs[1]: Expected text, found the number 3.",
    ]);
  });

  it("says a misplaced key belongs deeper, through arrays", () => {
    const validate = new Ajv({ allErrors: true, verbose: true }).compile(schema);
    const text = "retries: 3\n";
    const data = load(text);
    validate(data);
    const [problem] = describeSchemaErrors(validate.errors ?? [], data, createYamlLocator(text), {
      rootSchema: schema,
    });
    expect(problem?.fix).toBe('"retries" belongs elsewhere: write it as steps[].retries.');
  });
});

describe("field paths", () => {
  it("turns JSON pointers into paths, numbers only for arrays", () => {
    const data = { env: { "0": "x", "a/b": "y" }, list: [{ key: 1 }] };
    expect(toFieldPath("/env/0", data)).toEqual(["env", "0"]);
    expect(toFieldPath("/env/a~1b", data)).toEqual(["env", "a/b"]);
    expect(toFieldPath("/list/0/key", data)).toEqual(["list", 0, "key"]);
    expect(toFieldPath("", data)).toEqual([]);
  });

  it("formats them for people", () => {
    expect(formatFieldPath(["cluster", "tolerations", 1, "key"])).toBe("cluster.tolerations[1].key");
    expect(formatFieldPath(["env", "MY VAR"])).toBe('env["MY VAR"]');
    expect(formatFieldPath([])).toBe("");
  });
});

describe("suggestions", () => {
  it.each([
    ["resorces", "resources", 1],
    ["memroy", "memory", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("editDistance(%s, %s) = %d", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });

  it("suggests only close candidates", () => {
    expect(closestMatch("resorces", ["resources", "image"])).toBe("resources");
    expect(closestMatch("NETWORK", ["network"])).toBe("network");
    expect(closestMatch("gpus", ["gpu", "cpu"])).toBe("gpu");
    expect(closestMatch("banana", ["resources", "image"])).toBeUndefined();
  });
});
