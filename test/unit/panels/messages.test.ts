import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { failureMessage, failureReason } from "../../../src/core/presentation/messages";

describe("failure sentences of the panels", () => {
  it("say what failed, why in words, and what to do, never the raw Node error", () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/w/out.log'"), {
      code: "EACCES",
    });
    expect(
      failureMessage("The logs could not be saved to out.log", error, "Pick another folder and try again."),
    ).toBe(
      "The logs could not be saved to out.log: permission was denied. Pick another folder and try again.",
    );
    expect(failureReason(Object.assign(new Error("x"), { code: "FileNotFound" }))).toBe("it does not exist");
  });

  it("drop the Error: prefixes of an unknown error and keep its text", () => {
    expect(
      failureMessage("Parity could not open train.ipynb", new Error("Error: cannot open it."), "Try again."),
    ).toBe("Parity could not open train.ipynb: cannot open it. Try again.");
    expect(failureReason("")).toBe("of an unexpected problem");
  });

  it("keep a ParityError's sentence and its fix, which replaces the generic next step", () => {
    const withFix = new ParityError("ProfileInvalid", "The profile has no image.", {
      location: { file: "/w/parity.yaml", line: 2 },
      fix: "Add image.base to parity.yaml.",
    });
    expect(
      failureMessage("The report of train.ipynb could not be computed", withFix, "Press Check Again."),
    ).toBe(
      "The report of train.ipynb could not be computed: /w/parity.yaml:2: The profile has no image. Fix: Add image.base to parity.yaml.",
    );
    const withoutFix = new ParityError("Docker", "Docker is not running.");
    expect(failureMessage("The report could not be computed", withoutFix, "Press Check Again.")).toBe(
      "The report could not be computed: Docker is not running. Press Check Again.",
    );
  });
});
