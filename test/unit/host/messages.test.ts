import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { userMessage } from "../../../src/services/messages";

describe("messages the error boundary shows", () => {
  it("say a ParityError's sentence, place and fix in one paragraph", () => {
    const error = new ParityError(
      "BaseImageMissing",
      "The base image parity/python:3.11-bookworm is not in the local Docker engine.",
      {
        location: { file: "/w/parity.yaml", line: 6, field: "image.base" },
        fix: "Make it from Debian packages with: parity base-image",
      },
    );
    expect(userMessage(error)).toBe(
      "/w/parity.yaml:6 image.base: The base image parity/python:3.11-bookworm is not in the local Docker engine. Fix: Make it from Debian packages with: parity base-image",
    );
  });

  it("point at the output channel for anything unexpected", () => {
    expect(userMessage(new Error("socket hang up"))).toBe(
      "Parity failed unexpectedly: socket hang up. The Parity output channel has the details.",
    );
  });
});
