import { describe, expect, it } from "vitest";
import { Emitter } from "../../../src/core/events";
import type { InformerHealth } from "../../../src/targets/kube/informer";
import {
  ClusterHealth,
  summarizeHealth,
  worstHealth,
  type HealthSource,
} from "../../../src/targets/kube/health";

/** An informer's health as ClusterHealth reads it, set by the test (no watch behind it). */
class FakeHealthSource implements HealthSource {
  private readonly emitter = new Emitter<InformerHealth>();
  health: InformerHealth = "connecting";
  attempt = 0;
  lastActivity: number | undefined;
  lastError = undefined;
  readonly onHealth = this.emitter.event;
  set(health: InformerHealth, attempt = 0, lastActivity?: number): void {
    Object.assign(this, { health, attempt, lastActivity });
    this.emitter.fire(health);
  }
}

describe("worstHealth", () => {
  it("is the worst informer's: one stale or reconnecting watch makes the connection so", () => {
    expect(worstHealth(["live", "stale", "live"])).toBe("stale");
    expect(worstHealth(["live", "reconnecting", "stale"])).toBe("reconnecting");
    expect(worstHealth(["stopped", "live"])).toBe("live");
    expect(worstHealth([])).toBe("stopped");
  });
});

describe("summarizeHealth", () => {
  const at = (health: InformerHealth, attempt = 0, lastActivity?: number) => ({
    health,
    attempt,
    lastActivity,
    lastError: undefined,
  });

  it("reports the worst informer with a sentence", () => {
    expect(summarizeHealth([at("live"), at("live")], 0).sentence).toBe("live");
    expect(
      summarizeHealth([at("live"), at("stale", 0, 5_000), at("stale", 0, 20_000)], 100_000).sentence,
    ).toBe("stale: no update for 95 s");
    expect(
      summarizeHealth([at("stale", 0, 1), at("reconnecting", 2), at("reconnecting", 3)], 0).sentence,
    ).toBe("reconnecting (attempt 3)");
    expect(summarizeHealth([at("connecting"), at("live")], 0).state).toBe("connecting");
    expect(summarizeHealth([], 0).sentence).toBe("stopped");
  });
});

describe("ClusterHealth", () => {
  it("fires when the combined sentence changes, not for every informer change", () => {
    let now = 1_000;
    const pods = new FakeHealthSource();
    const jobs = new FakeHealthSource();
    const health = new ClusterHealth([pods, jobs], () => now);
    const seen: string[] = [];
    health.onChange((summary) => seen.push(summary.sentence));
    pods.set("live", 0, now);
    jobs.set("live", 0, now);
    now = 96_000;
    jobs.set("stale", 0, 1_000);
    pods.set("reconnecting", 1);
    pods.set("reconnecting", 2);
    pods.set("live", 0, now);
    jobs.set("live", 0, now);
    expect(seen).toEqual([
      "live",
      "stale: no update for 95 s",
      "reconnecting (attempt 1)",
      "reconnecting (attempt 2)",
      "stale: no update for 95 s",
      "live",
    ]);
    health.dispose();
    pods.set("stale", 0, 0);
    expect(seen).toHaveLength(6);
  });
});
