import { describe, expect, it } from "vitest";
import { applyParameterValues, pythonLiteral } from "../../../src/core/notebook/applyParameters";

const cell = [
  "# the defaults papermill overrides",
  "lr = 0.1  # learning rate",
  "layers = 1",
  'optimizer = "sgd"',
  "epochs = 3",
  "report = 'katib'",
].join("\n");

describe("applyParameterValues", () => {
  it("replaces only the values named, keeping comments, quotes and the other lines", () => {
    const applied = applyParameterValues(cell, [
      { name: "lr", value: "0.038275438290003926" },
      { name: "layers", value: "3" },
      { name: "optimizer", value: "adam" },
    ]);
    expect(applied.source).toBe(
      [
        "# the defaults papermill overrides",
        "lr = 0.038275438290003926  # learning rate",
        "layers = 3",
        'optimizer = "adam"',
        "epochs = 3",
        "report = 'katib'",
      ].join("\n"),
    );
    expect(applied.changed).toEqual(["lr", "layers", "optimizer"]);
    expect(applied.unchanged).toEqual([]);
    expect(applied.missing).toEqual([]);
  });

  it("keeps a string default's own quote style and escapes what the value holds", () => {
    const applied = applyParameterValues(cell, [{ name: "report", value: `it's "x"\\y` }]);
    expect(applied.source.split("\n")[5]).toBe(`report = 'it\\'s "x"\\\\y'`);
  });

  it("writes a value as the trial read it: a number for a string default stays text", () => {
    const applied = applyParameterValues('name: str = "a"\nflag = False\nnothing = None', [
      { name: "name", value: "42" },
      { name: "flag", value: "true" },
      { name: "nothing", value: "0.5" },
    ]);
    expect(applied.source).toBe('name: str = "42"\nflag = True\nnothing = 0.5');
  });

  it("says which names the cell does not assign and which already have the value", () => {
    const applied = applyParameterValues(cell, [
      { name: "epochs", value: "3" },
      { name: "momentum", value: "0.9" },
    ]);
    expect(applied.source).toBe(cell);
    expect(applied.unchanged).toEqual(["epochs"]);
    expect(applied.missing).toEqual(["momentum"]);
    expect(applied.changed).toEqual([]);
  });

  it("folds a value written over several lines into the new one, keeping the lines after it", () => {
    const source = "sizes = [\n    64,\n    32,\n]  # widths\nlr = 0.1";
    const applied = applyParameterValues(source, [
      { name: "sizes", value: "small" },
      { name: "lr", value: "0.2" },
    ]);
    expect(applied.source).toBe('sizes = "small"  # widths\nlr = 0.2');
    expect(applied.changed).toEqual(["sizes", "lr"]);
  });

  it("rewrites the last of two assignments, the one that counts, and drops a trailing semicolon's value only", () => {
    const applied = applyParameterValues("lr = 0.1\nlr = 0.2;  # final\n", [{ name: "lr", value: "0.3" }]);
    expect(applied.source).toBe("lr = 0.1\nlr = 0.3;  # final\n");
  });

  it("leaves a line with several statements alone, and keeps CRLF line ends", () => {
    const applied = applyParameterValues("a = 1; b = 2\r\nc = 3\r\n", [
      { name: "a", value: "5" },
      { name: "c", value: "4" },
    ]);
    expect(applied.skipped).toEqual(["a"]);
    expect(applied.source).toBe("a = 1; b = 2\r\nc = 4\r\n");
  });

  it("does not take an indented or nested assignment for a parameter", () => {
    const source = "if True:\n    lr = 0.1\nlr = 0.2";
    expect(applyParameterValues(source, [{ name: "lr", value: "1" }]).source).toBe(
      "if True:\n    lr = 0.1\nlr = 1",
    );
  });

  it("cannot be made to write code: a value is always a literal", () => {
    const applied = applyParameterValues("opt = 'a'\nx = 1", [
      { name: "opt", value: "a'\nimport os  #" },
      { name: "x", value: "__import__('os')" },
    ]);
    expect(applied.source).toBe("opt = 'a\\'\\nimport os  #'\nx = \"__import__('os')\"");
  });
});

describe("pythonLiteral", () => {
  it("writes Python's spelling of each kind", () => {
    expect(pythonLiteral(null)).toBe("None");
    expect(pythonLiteral(true)).toBe("True");
    expect(pythonLiteral(3)).toBe("3");
    expect(pythonLiteral(1e-7)).toBe("1e-7");
    expect(pythonLiteral("tab\there", "'")).toBe("'tab\\there'");
    expect(pythonLiteral("\u0001")).toBe('"\\x01"');
  });
});
