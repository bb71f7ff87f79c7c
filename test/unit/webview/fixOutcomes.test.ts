import { describe, expect, it } from "vitest";
import {
  answered,
  applying,
  itemsChanged,
  NO_OUTCOMES,
} from "../../../webview-ui/src/lib/report/fixOutcomes";

const done = { ok: true, message: "Pin scikit-learn==1.9.1 in requirements.txt: done." };
const refused = { ok: false, message: "requirements.txt changed since the report: check again." };

describe("fix outcomes", () => {
  it("says an applied fix once, under the summary, and not beside its item", () => {
    const outcomes = answered(NO_OUTCOMES, 1, done);
    expect(outcomes.notice).toEqual(done);
    expect([...outcomes.refused]).toEqual([]);
    // The report computed again keeps the notice (the fixed item is gone from it).
    expect(itemsChanged(outcomes).notice).toEqual(done);
  });

  it("says a refused fix once, under its item, and clears an earlier success notice", () => {
    const outcomes = answered(answered(NO_OUTCOMES, 0, done), 2, refused);
    expect(outcomes.notice).toBeUndefined();
    expect([...outcomes.refused]).toEqual([[2, refused.message]]);
  });

  it("forgets a refusal when the item is applied again, answered, or the items change", () => {
    const outcomes = answered(answered(NO_OUTCOMES, 0, refused), 1, refused);
    expect([...applying(outcomes, 0).refused]).toEqual([[1, refused.message]]);
    expect([...answered(outcomes, 1, done).refused]).toEqual([[0, refused.message]]);
    expect(itemsChanged(outcomes)).toEqual(NO_OUTCOMES);
  });

  it("shows a refusal for an unknown request under the summary rather than losing it", () => {
    expect(answered(NO_OUTCOMES, undefined, refused)).toEqual({ notice: refused, refused: new Map() });
  });
});
