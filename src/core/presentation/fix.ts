import type { FixSnippet } from "../diagnosis/types";

/**
 * "  Fix: ..." and, under it, the lines to paste into parity.yaml with their own indentation:
 * for the terminal and for dialogs, where a fix must stay something that can be pasted.
 */
export function fixLines(item: { fix: string; snippet?: FixSnippet }, indent = "  "): string[] {
  return [
    `${indent}Fix: ${item.fix}`,
    ...(item.snippet ? item.snippet.yaml.split("\n").map((line) => `${indent}    ${line}`) : []),
  ];
}
