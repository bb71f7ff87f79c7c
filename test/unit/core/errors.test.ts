import { describe, expect, it } from "vitest";
import { CancelledError, isCancelled, ParityError } from "../../../src/core/errors";
import { NotebookCellError } from "../../../src/core/notebook/cellError";

describe("Parity's errors across bundles", () => {
  it("are known by their brand, whichever copy of the module made them", async () => {
    // A second instance of the module, as dist/app.js holds beside dist/extension.js: a query makes
    // vite load the file again (TypeScript does not resolve such a path, hence a variable).
    const copy = "../../../src/core/errors?another-bundle";
    const other = (await import(/* @vite-ignore */ copy)) as typeof import("../../../src/core/errors");
    expect(other.ParityError).not.toBe(ParityError);
    const parity = new other.ParityError("BaseImageMissing", "The base image is missing.", {
      fix: "Make it.",
    });
    expect(parity instanceof ParityError).toBe(true);
    expect(isCancelled(new other.CancelledError())).toBe(true);
    expect(new other.CancelledError() instanceof CancelledError).toBe(true);
    expect(new Error("plain") instanceof ParityError).toBe(false);
    expect(parity instanceof CancelledError).toBe(false);
  });

  it("leave subclasses to their own prototype chain", () => {
    const cell = new NotebookCellError("x", "m", "f", "/w/a.ipynb", { index: 1, source: [] } as never, 1);
    expect(cell instanceof ParityError).toBe(true);
    expect(cell instanceof NotebookCellError).toBe(true);
    expect(new ParityError("x", "m") instanceof NotebookCellError).toBe(false);
  });
});
