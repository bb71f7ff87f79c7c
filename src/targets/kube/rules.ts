import type { V1ResourceRule } from "@kubernetes/client-node";

export interface RulesSummary {
  /** `resource` may name a subresource ("pods/log"); `group` is "" or undefined for the core group. */
  can(verb: string, resource: string, group?: string): boolean;
  /** The authorizer could not list every rule (webhook authorizers): a false answer may be wrong. */
  incomplete: boolean;
}

/**
 * The rules of a SelfSubjectRulesReview as a question a view can ask. Rules limited to named
 * objects (resourceNames) do not grant the verb in general, so they are left out.
 */
export function summarizeRules(rules: V1ResourceRule[], incomplete: boolean): RulesSummary {
  const general = rules.filter((rule) => (rule.resourceNames ?? []).length === 0);
  return {
    incomplete,
    can: (verb, resource, group = "") =>
      general.some(
        (rule) =>
          matches(rule.verbs, verb) &&
          matches(rule.apiGroups ?? [], group) &&
          resourceMatches(rule.resources ?? [], resource),
      ),
  };
}

function matches(allowed: string[], wanted: string): boolean {
  return allowed.includes("*") || allowed.includes(wanted);
}

/** As RBAC matches them: "*", the exact name, or "*\/<subresource>" for any resource's subresource. */
function resourceMatches(allowed: string[], wanted: string): boolean {
  if (matches(allowed, wanted)) return true;
  const slash = wanted.indexOf("/");
  return slash > 0 && allowed.includes(`*${wanted.slice(slash)}`);
}
