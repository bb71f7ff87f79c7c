import { describe, expect, it } from "vitest";
import { createYamlLocator } from "../../../src/core/yaml";

const block = `# leading comment
apiVersion: parity.dev/v1
resources:
  memory: 8Gi

  cpu: "4"
cluster:
  tolerations:
    - key: nvidia.com/gpu
      operator: Exists
    -   key: dedicated
        effect: NoSchedule
  nodeSelector:
    "pool.example.com/name": gpu
list:
  - - nested-a
    - nested-b
  - scalar
empty:
text: |
  line one
  line two
after: 1
`;

describe("createYamlLocator on block YAML", () => {
  const locator = createYamlLocator(block);

  it.each([
    [["apiVersion"], 2],
    [["resources"], 3],
    [["resources", "memory"], 4],
    [["resources", "cpu"], 6],
    [["cluster", "tolerations"], 8],
    [["cluster", "tolerations", 0], 9],
    [["cluster", "tolerations", 0, "operator"], 10],
    [["cluster", "tolerations", 1], 11],
    [["cluster", "tolerations", 1, "key"], 11],
    [["cluster", "tolerations", 1, "effect"], 12],
    [["cluster", "nodeSelector", "pool.example.com/name"], 14],
    [["list", 0, 1], 17],
    [["list", 1], 18],
    [["empty"], 19],
    [["text"], 20],
    [["after"], 23],
  ])("%j is on line %d", (path, line) => {
    expect(locator.locate(path)).toMatchObject({ line, exact: true });
  });

  it("accepts indexes written as strings, as JSON pointers have them", () => {
    expect(locator.lineOf(["cluster", "tolerations", "1", "effect"])).toBe(12);
  });

  it("falls back to the nearest existing parent", () => {
    expect(locator.locate(["resources", "gpu"])).toMatchObject({ line: 3, exact: false });
    expect(locator.locate(["cluster", "tolerations", 5, "key"])).toMatchObject({ line: 8, exact: false });
    expect(locator.locate(["resources", "memory", "deeper"])).toMatchObject({ line: 4, exact: false });
    expect(locator.locate(["missing"])).toMatchObject({ line: 2, exact: false });
  });

  it("gives columns too", () => {
    expect(locator.locate(["cluster", "tolerations", 1, "key"])).toMatchObject({ line: 11, column: 9 });
  });

  it("returns scalars as written", () => {
    const numbers = createYamlLocator("python: 3.10\nquoted: '3.10'\nflag: yes\n");
    expect(numbers.scalarSource(["python"])).toBe("3.10");
    expect(numbers.scalarSource(["quoted"])).toBe("3.10");
    expect(numbers.scalarSource(["flag"])).toBe("yes");
    expect(numbers.scalarSource(["missing"])).toBeUndefined();
  });
});

describe("createYamlLocator on flow YAML", () => {
  const flow = `resources: { memory: 8Gi, cpu: "2" }
cluster: {
  namespace: ml,
  tolerations: [
    { key: a, operator: Exists },
    { key: b,
      effect: NoSchedule }
  ]
 }
`;
  const locator = createYamlLocator(flow);

  it("locates keys inside a one-line flow mapping by column", () => {
    expect(locator.locate(["resources", "memory"])).toEqual({ line: 1, column: 14, exact: true });
    expect(locator.locate(["resources", "cpu"])).toEqual({ line: 1, column: 27, exact: true });
  });

  it("locates items of multi-line flow sequences", () => {
    expect(locator.lineOf(["cluster", "namespace"])).toBe(3);
    expect(locator.lineOf(["cluster", "tolerations", 0])).toBe(5);
    expect(locator.lineOf(["cluster", "tolerations", 1, "key"])).toBe(6);
    expect(locator.lineOf(["cluster", "tolerations", 1, "effect"])).toBe(7);
  });

  it("falls back to the flow mapping when a key is missing", () => {
    expect(locator.locate(["resources", "shm"])).toMatchObject({ line: 1, column: 1, exact: false });
  });
});

describe("createYamlLocator edge cases", () => {
  it("stops at aliases and places anchored nodes at their anchor", () => {
    const locator = createYamlLocator("base: &limits\n  memory: 8Gi\nother: *limits\n");
    expect(locator.lineOf(["base", "memory"])).toBe(2);
    expect(locator.locate(["other", "memory"])).toMatchObject({ line: 3, exact: false });
  });

  it("reads a later document when asked", () => {
    const locator = createYamlLocator("a: 1\n---\n\nb: 2\n", 1);
    expect(locator.lineOf(["b"])).toBe(4);
    expect(locator.lineOf([])).toBe(4);
  });

  it("has nothing to say about an empty document", () => {
    expect(createYamlLocator("# only a comment\n").locate(["a"])).toBeUndefined();
  });

  it("handles a root sequence", () => {
    const locator = createYamlLocator("- a\n- b: 1\n  c: 2\n");
    expect(locator.lineOf([1, "c"])).toBe(3);
  });
});
