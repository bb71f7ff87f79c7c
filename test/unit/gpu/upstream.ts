import { readFileSync } from "node:fs";

/**
 * A message quoted from an upstream issue (test/fixtures/gpu/upstream/): its text without the
 * line that names the issue. These are what users reported, not captures of Parity's runs.
 */
export function upstreamQuote(name: string): { url: string; lines: string[] } {
  const text = readFileSync(new URL(`../../fixtures/gpu/upstream/${name}`, import.meta.url), "utf8");
  const [header = "", , ...lines] = text.trimEnd().split("\n");
  const url = /^quoted from upstream issue (https:\/\/github\.com\/\S+)$/.exec(header)?.[1];
  if (!url) throw new Error(`${name} does not start with "quoted from upstream issue <url>"`);
  return { url, lines };
}
