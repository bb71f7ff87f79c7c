import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { requireTypedName } from "../../../src/targets/kube/access";

const thrown = (work: () => void) => {
  try {
    work();
  } catch (error) {
    return error as ParityError;
  }
  return undefined;
};

describe("requireTypedName", () => {
  it("asks nothing outside a protected namespace", () => {
    expect(thrown(() => requireTypedName(false, "train-abc", undefined))).toBeUndefined();
  });

  it("needs the exact name in a protected namespace", () => {
    expect(thrown(() => requireTypedName(true, "train-abc", "train-abc"))).toBeUndefined();
    const none = thrown(() => requireTypedName(true, "train-abc", undefined));
    expect(none?.code).toBe("ConfirmationRequired");
    expect(none?.message).toBe("train-abc is in a protected namespace: type its name to confirm.");
    const wrong = thrown(() => requireTypedName(true, "train-abc", "train-ab"));
    expect(wrong?.code).toBe("ConfirmationRequired");
    expect(wrong?.message).toBe("The name typed (train-ab) is not train-abc; nothing was deleted.");
    expect(thrown(() => requireTypedName(true, "train-abc", "TRAIN-ABC"))?.code).toBe("ConfirmationRequired");
  });
});
