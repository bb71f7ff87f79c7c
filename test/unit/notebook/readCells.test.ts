import { describe, expect, it } from "vitest";
import { convertNotebook } from "../../../src/core/notebook";
import { describeFailure, failureOf, fixture } from "./helpers";

describe("reading notebooks", () => {
  it("names the file and the line of a JSON syntax error", () => {
    const error = failureOf(() => convertNotebook(fixture("invalid-json.ipynb"), "invalid-json.ipynb"));
    expect(error.code).toBe("NotebookInvalidJson");
    expect(error.location).toEqual({ file: "invalid-json.ipynb", line: 6 });
    expect(error.message).toBe("invalid-json.ipynb is not valid JSON, so it cannot be read as a notebook.");
  });

  it.each([
    ['{\n  "a": tru\n}', 2],
    ["[1,\n2,\n]", 3],
    ['{\n "cells": [\n  "x"\n  "y"]}', 4],
  ])("finds the line of %j", (text, line) => {
    expect(failureOf(() => convertNotebook(text, "n.ipynb")).location?.line).toBe(line);
  });

  it("reports a truncated notebook at its end", () => {
    expect(
      failureOf(() => convertNotebook(fixture("truncated.ipynb"), "truncated.ipynb")).location?.line,
    ).toBe(5);
  });

  it("refuses other nbformat versions and non-notebooks", () => {
    expect(describeFailure(() => convertNotebook(fixture("nbformat3.ipynb"), "nbformat3.ipynb"))).toBe(
      "nbformat3.ipynb: nbformat3.ipynb is a version 3 notebook; Parity reads nbformat 4 notebooks.\n" +
        "  Fix: Save it from a current Jupyter or VS Code, or run `jupyter nbconvert --to notebook --nbformat 4` on it.",
    );
    expect(failureOf(() => convertNotebook("[1, 2]", "list.ipynb")).message).toBe(
      "list.ipynb is not a Jupyter notebook (it has no nbformat version).",
    );
  });

  it("refuses notebooks of other languages and malformed cells", () => {
    expect(failureOf(() => convertNotebook(fixture("r-kernel.ipynb"), "r.ipynb")).message).toBe(
      "r.ipynb has a kernel for R; Parity runs Python notebooks.",
    );
    const badCell = JSON.stringify({ nbformat: 4, cells: [{ cell_type: "code", source: 3 }] });
    expect(failureOf(() => convertNotebook(badCell, "b.ipynb")).location).toEqual({
      file: "b.ipynb",
      field: "cells[0]",
    });
  });

  it("accepts source as one string or a list of strings, with CRLF line ends", () => {
    const text = JSON.stringify({
      nbformat: 4,
      cells: [
        { cell_type: "code", source: "a = 1\r\nb = 2\r\n", metadata: {} },
        { cell_type: "code", source: ["c = 3\n", "d = 4"], metadata: {} },
      ],
    });
    expect(convertNotebook(text, "t.ipynb").script).toContain(
      "a = 1\nb = 2\n\n# --- cell 2 ---\nc = 3\nd = 4\n",
    );
  });
});
