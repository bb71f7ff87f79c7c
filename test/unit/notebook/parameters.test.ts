import { describe, expect, it } from "vitest";
import {
  convertNotebook,
  encodeParameterOverrides,
  parseParameterOverrides,
} from "../../../src/core/notebook";
import { convertFixture, failureOf, notebookOf } from "./helpers";

describe("parameters", () => {
  const { parameters, script } = convertFixture("parameters.ipynb");

  it("collects the top-level assignments of the cell tagged parameters", () => {
    expect(parameters).toEqual([
      { name: "learning_rate", defaultSource: "0.01", kind: "float", cell: 2, line: 1 },
      { name: "epochs", defaultSource: "3", kind: "int", cell: 2, line: 2 },
      { name: "optimizer", defaultSource: '"adam"', kind: "string", cell: 2, line: 3 },
      { name: "use_gpu", defaultSource: "False", kind: "bool", cell: 2, line: 4 },
      { name: "layers", defaultSource: "[\n    64,\n    32,\n]", kind: "other", cell: 2, line: 5 },
      { name: "notes", defaultSource: "None", kind: "none", cell: 2, line: 9 },
    ]);
  });

  it("reads overrides from PARITY_PARAMETERS right after the parameters cell, not baked in", () => {
    const lines = script.split("\n");
    const update = lines.indexOf(
      'globals().update(_parity_parameters(["learning_rate", "epochs", "optimizer", "use_gpu", "layers", "notes"]))',
    );
    expect(lines[update - 2]).toBe("    epochs = 100");
    expect(lines[update + 2]).toBe("# --- cell 3 ---");
  });

  it("has no override code without a parameters cell", () => {
    const job = convertNotebook(notebookOf("x = 1"), "t.ipynb");
    expect(job.parameters).toEqual([]);
    expect(job.script).not.toContain("PARITY_PARAMETERS");
  });

  it("converts override values as papermill does, keeping string parameters as strings", () => {
    expect(
      parseParameterOverrides(
        ["learning_rate=1e-3", "epochs=10", "optimizer=42", "use_gpu=true", "layers=[1, 2]", "notes=None"],
        parameters,
      ),
    ).toEqual({
      learning_rate: 0.001,
      epochs: 10,
      optimizer: "42",
      use_gpu: true,
      layers: "[1, 2]",
      notes: null,
    });
    expect(parseParameterOverrides(["epochs=-3", "use_gpu=False", "notes=a=b"], parameters)).toEqual({
      epochs: -3,
      use_gpu: false,
      notes: "a=b",
    });
  });

  it("writes the overrides as the JSON the job reads, a whole float still a float (2.0, as papermill passes it)", () => {
    const entries = encodeParameterOverrides(
      ["learning_rate=2.0", "epochs=3", "optimizer=2.0", "use_gpu=true", "notes=1e3"],
      parameters,
    );
    expect(`{${entries.join(",")}}`).toBe(
      '{"learning_rate":2.0,"epochs":3,"optimizer":"2.0","use_gpu":true,"notes":1000.0}',
    );
    expect(JSON.parse(`{${entries.join(",")}}`)).toMatchObject({ learning_rate: 2, optimizer: "2.0" });
  });

  it("refuses unknown names, listing the known ones, and pairs without =", () => {
    const unknown = failureOf(() => parseParameterOverrides(["lr=0.1"], parameters));
    expect(unknown.code).toBe("ParametersUnknown");
    expect(unknown.message).toBe(
      "The notebook has no parameter lr; its parameters are learning_rate, epochs, optimizer, use_gpu, layers, notes.",
    );
    expect(failureOf(() => parseParameterOverrides(["lr=0.1"], [])).fix).toMatch(/Tag the cell/);
    expect(failureOf(() => parseParameterOverrides(["epochs"], parameters)).message).toBe(
      'The parameter override "epochs" has no name=value form.',
    );
  });
});
