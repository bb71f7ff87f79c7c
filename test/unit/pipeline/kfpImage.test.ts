import { describe, expect, it } from "vitest";
import { planKfpImage } from "../../../src/core/build/kfpImage";

const input = {
  image: "python:3.11",
  imageId: "sha256:abc",
  user: "1000",
  pipInstalls: [
    ["six==1.16.0"],
    ["kfp==2.17.3", "--no-deps", `typing-extensions>=3.7.4,<5; python_version<"3.9"`],
  ],
};

describe("planKfpImage", () => {
  it("installs what the component's command installs, the same way, each word quoted for sh, and restores its user", () => {
    const plan = planKfpImage(input);
    expect(plan.tag).toMatch(/^parity\/kfp-python:[0-9a-f]{12}$/);
    const lines = plan.dockerfile.split("\n");
    expect(lines[1]).toBe("FROM python:3.11");
    expect(plan.dockerfile).toContain(
      "python3 -m pip install --no-cache-dir --disable-pip-version-check --no-input --progress-bar off 'six==1.16.0'",
    );
    expect(plan.dockerfile).toContain(
      `'kfp==2.17.3' '--no-deps' 'typing-extensions>=3.7.4,<5; python_version<"3.9"'`,
    );
    expect(lines.at(-2)).toBe("USER 1000");
    // Another image id under the same name is another tag.
    expect(planKfpImage({ ...input, imageId: "sha256:def" }).tag).not.toBe(plan.tag);
  });

  it("refuses a pip argument or image that would break the Dockerfile's line", () => {
    expect(() => planKfpImage({ ...input, pipInstalls: [["six==1.16.0\nRUN rm -rf /"]] })).toThrow(
      /holds a control character/,
    );
    expect(() => planKfpImage({ ...input, image: "python:3.11\nUSER root" })).toThrow(
      /holds a control character/,
    );
  });
});
