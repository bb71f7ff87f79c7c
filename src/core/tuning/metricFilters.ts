/**
 * Katib's metrics filters: Go regular expressions whose first group is a metric's name and second
 * its value. Parity runs them with JavaScript's RegExp, so a filter is accepted only where both
 * engines read it the same way.
 */

/**
 * Katib v0.19's default filter (pkg/metricscollector/v1beta1/common/const.go): `name=value`, the
 * value a decimal or exponent number. `|` belongs to the name's class, and the value may be empty
 * (`loss=nan` reads as loss with the value "").
 */
export const DEFAULT_METRICS_FILTER = String.raw`([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)`;

export interface FilterProblem {
  message: string;
  fix: string;
}

/** Escapes JavaScript reads as plain letters where Go gives them a meaning (or refuses them). */
const GO_ESCAPES: Record<string, string> = {
  A: "the start of the text",
  z: "the end of the text",
  Q: "the start of a literal block",
  E: "the end of a literal block",
  p: "a Unicode class",
  P: "a negated Unicode class",
  C: "any byte",
};

/** Why a filter cannot be used as Katib uses it, or undefined when it can. */
export function filterProblem(filter: string): FilterProblem | undefined {
  if (filter.includes(";")) {
    return {
      message: `The filter ${filter} contains ";", where Katib splits its filters apart before its collector reads them.`,
      fix: 'Match the semicolon with \\x3b instead of ";".',
    };
  }
  const scanned = scanGoOnly(filter);
  if (scanned) return scanned;
  try {
    new RegExp(filter, "g");
  } catch (error) {
    return {
      message: `The filter ${filter} is not a regular expression Parity can read: ${(error as Error).message}.`,
      fix: filter.includes("(?P<")
        ? "Write a named group as (?<name>...) or a plain group (...); both Go and JavaScript read those."
        : /\(\?[a-zA-Z]/.test(filter)
          ? "Remove the inline flags ((?i) and the like) and spell out what they meant, e.g. [Aa]ccuracy."
          : "Write a regular expression that Go (Katib) and JavaScript (Parity) both read, e.g. Katib's default ([\\w|-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?([Ee][+-]?\\d+)?).",
    };
  }
  // The webhook's own test (validator.go): two parenthesised parts, in order, anywhere in the text.
  if (!/.*\(.*\).*\(.*\).*/.test(filter)) {
    return {
      message: `The filter ${filter} has fewer than two groups; Katib takes the first group as the metric's name and the second as its value.`,
      fix: "Put the name and the value in groups of their own, e.g. ([\\w-]+):\\s*([-+]?[\\d.eE+-]+).",
    };
  }
  return undefined;
}

/** Constructs Go's regexp refuses (Katib rejects the experiment) or JavaScript reads otherwise. */
function scanGoOnly(filter: string): FilterProblem | undefined {
  let inClass = false;
  for (let index = 0; index < filter.length; index++) {
    const character = filter[index];
    const next = filter[index + 1] ?? "";
    if (character === "\\") {
      if (/[1-9]/.test(next) || next === "Z") {
        return goRejects(filter, next === "Z" ? "\\Z" : `the back-reference \\${next}`);
      }
      const meaning = GO_ESCAPES[next];
      if (meaning) {
        return {
          message: `The filter ${filter} uses \\${next}, which Go reads as ${meaning} but JavaScript as the letter ${next}.`,
          fix: "Write it with constructs both read the same way: ^ and $ for the text's ends, explicit classes such as [A-Za-z] for Unicode classes.",
        };
      }
      index++;
    } else if (inClass) {
      if (character === "[" && next === ":") {
        return {
          message: `The filter ${filter} uses a POSIX class such as [:digit:], which JavaScript does not know.`,
          fix: "Write the class out, e.g. \\d for [[:digit:]] or [A-Za-z] for [[:alpha:]].",
        };
      }
      if (character === "]") inClass = false;
    } else if (character === "[") {
      inClass = true;
      // A "]" right after "[" or "[^" is a literal member, not the end of the class.
      if (filter[index + 1] === "^") index++;
      if (filter[index + 1] === "]") index++;
    } else if (character === "(" && /^\(\?<?[=!]/.test(filter.slice(index, index + 4))) {
      return goRejects(filter, "a look-ahead or look-behind");
    }
  }
  return undefined;
}

function goRejects(filter: string, what: string): FilterProblem {
  return {
    message: `The filter ${filter} uses ${what}, which Go's regular expressions (Katib's) do not support, so Katib would reject the experiment.`,
    fix: "Match the metric without it: Go's regexp has no back-references, look-arounds or \\Z.",
  };
}

/** A filter as Parity runs it: global, so that every match on a line is found (Go's FindAll). */
export function compileFilter(filter: string): RegExp {
  return new RegExp(filter, "g");
}
