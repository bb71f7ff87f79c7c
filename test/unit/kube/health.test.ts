import { describe, expect, it } from "vitest";
import { worstHealth } from "../../../src/targets/kube/health";

describe("worstHealth", () => {
  it("is the worst informer's: one stale or reconnecting watch makes the connection so", () => {
    expect(worstHealth(["live", "stale", "live"])).toBe("stale");
    expect(worstHealth(["live", "reconnecting", "stale"])).toBe("reconnecting");
    expect(worstHealth(["stopped", "live"])).toBe("live");
    expect(worstHealth([])).toBe("stopped");
  });
});
