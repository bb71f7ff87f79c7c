/**
 * pip reads the options of a requirements line with Python's `shlex.split` (POSIX mode, no
 * comments); the same rules here, so that a quoted path means what pip will make of it.
 * Returns a sentence instead of words when pip would fail on the quoting.
 */
export function splitOptions(text: string): string[] | string {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return "the quote ' is never closed";
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (char === '"') {
      let value = "";
      for (i++; i < text.length && text.charAt(i) !== '"'; i++) {
        // Inside double quotes a backslash escapes only a quote or a backslash.
        if (text.charAt(i) === "\\" && /["\\]/.test(text.charAt(i + 1))) i++;
        value += text.charAt(i);
      }
      if (i >= text.length) return 'the quote " is never closed';
      word = (word ?? "") + value;
    } else if (char === "\\") {
      if (i + 1 >= text.length) return "the line ends with a lone backslash";
      word = (word ?? "") + text.charAt(++i);
    } else word = (word ?? "") + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Python's `shlex.quote`: a value that `splitOptions` gives back unchanged. */
export function quoteOption(value: string): string {
  if (value === "") return "''";
  if (!/[^\w@%+=:,./-]/.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}
