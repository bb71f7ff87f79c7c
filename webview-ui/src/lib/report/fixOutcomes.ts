/** What the report says about the fixes applied from it: each answer once, in one place. */
export interface FixOutcomes {
  /**
   * Under the summary: a fix that was applied (its item leaves the next report), or a refusal
   * whose item is not known (an answer to a page that was reloaded since).
   */
  notice?: { ok: boolean; message: string };
  /** Refused fixes, under their item (by item index), which stays in the report. */
  refused: ReadonlyMap<number, string>;
}

export const NO_OUTCOMES: FixOutcomes = { refused: new Map() };

/** The host answered an apply request for the item at `index` (undefined: an unknown request). */
export function answered(
  outcomes: FixOutcomes,
  index: number | undefined,
  answer: { ok: boolean; message: string },
): FixOutcomes {
  const refused = new Map(outcomes.refused);
  if (index !== undefined) refused.delete(index);
  if (answer.ok || index === undefined) return { notice: { ...answer }, refused };
  refused.set(index, answer.message);
  return { refused };
}

/** The item at `index` is applied again: its last refusal no longer holds. */
export function applying(outcomes: FixOutcomes, index: number): FixOutcomes {
  const refused = new Map(outcomes.refused);
  refused.delete(index);
  return { ...outcomes, refused };
}

/** A report with other items: refusals named items by index, so they go; the notice stays. */
export function itemsChanged(outcomes: FixOutcomes): FixOutcomes {
  return outcomes.notice ? { notice: outcomes.notice, refused: new Map() } : NO_OUTCOMES;
}
