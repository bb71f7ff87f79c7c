import { py, refuse, timed, TIMEIT_OPTIONS, unquote, type MagicContext } from "./magics";
import { shellWords } from "./pip";
import type { OutputLine } from "./types";

/** The cell translator as the cell magics see it: a MagicContext that can translate a body. */
interface CellContext extends MagicContext {
  translate(lines: string[], first: number): OutputLine[];
}

const SHELLS: Record<string, string> = { bash: "/bin/bash", sh: "/bin/sh" };

/**
 * `%%name args` on the first line of a cell, whose other lines are `body` (from cell line
 * `first + 1`). The body stays at its own indentation: re-indenting would change multi-line strings.
 */
export function translateCellMagic(
  name: string,
  args: string,
  body: string[],
  first: number,
  context: CellContext,
): OutputLine[] {
  const atMagic = (text: string): OutputLine => ({ text, line: first });
  switch (name) {
    case "time":
    case "timeit": {
      const setup = name === "timeit" ? args.replace(TIMEIT_OPTIONS, "") : "";
      const [start, end] = timed(name, [], context);
      return [
        ...(setup ? [atMagic(setup)] : []),
        atMagic(start ?? ""),
        ...context.translate(body, first + 1),
        atMagic(end ?? ""),
      ];
    }
    case "capture":
      return capture(args, body, first, context);
    case "writefile": {
      const words = shellWords(args);
      const append = Array.isArray(words) && (words[0] === "-a" || words[0] === "--append");
      const path = append ? args.replace(/^\s*(-a|--append)\s*/, "") : args;
      if (!path.trim())
        context.fail(
          "NotebookInvalidMagic",
          "%%writefile needs a file name.",
          "Write it as %%writefile path.",
        );
      context.use("writeFile");
      const text = body.length > 0 ? body.map((line) => `${line}\n`) : [""];
      return literalCall(
        `_parity_write_file(${py(unquote(path))}, `,
        text,
        `${append ? ", append=True" : ""})`,
        first,
      );
    }
    case "bash":
    case "sh": {
      if (args) {
        context.fail(
          "NotebookInvalidMagic",
          `Parity runs %%${name} without options, and this one has ${args}.`,
          "Remove the options.",
        );
      }
      context.use("shell");
      const text = body.length > 0 ? body.map((line) => `${line}\n`) : [""];
      return literalCall(`_parity_shell([${py(SHELLS[name] ?? "/bin/sh")}, "-c", `, text, "])", first);
    }
  }
  return refuse("%%", name, context);
}

/** `%%capture [--no-stdout] [--no-stderr] [--no-display] [name]`. */
function capture(args: string, body: string[], first: number, context: CellContext): OutputLine[] {
  const words = shellWords(args);
  const options = Array.isArray(words) ? words : [];
  const targets = options.filter((word) => !word.startsWith("-"));
  const unknown = options.filter(
    (word) => word.startsWith("-") && !/^--no-(stdout|stderr|display)$/.test(word),
  );
  if (targets.length > 1 || unknown.length > 0 || !/^([A-Za-z_]\w*)?$/.test(targets[0] ?? "")) {
    context.fail(
      "NotebookInvalidMagic",
      `Parity cannot read the %%capture options ${args}.`,
      "Write it as %%capture [--no-stdout] [--no-stderr] [name].",
    );
  }
  context.use("capture");
  const capturer = context.uniqueName("capture");
  const stdout = options.includes("--no-stdout") ? "False" : "True";
  const stderr = options.includes("--no-stderr") ? "False" : "True";
  const stop = targets[0] ? `${targets[0]} = ${capturer}.stop()` : `${capturer}.stop()`;
  return [
    { text: `${capturer} = _ParityCapture(stdout=${stdout}, stderr=${stderr})`, line: first },
    ...context.translate(body, first + 1),
    { text: stop, line: first },
  ];
}

/** `prefix("line 1\n" "line 2\n")suffix`, one string per body line, each mapped to its own line. */
function literalCall(prefix: string, pieces: string[], suffix: string, first: number): OutputLine[] {
  return [
    { text: `${prefix}(`, line: first },
    ...pieces.map((piece, offset) => ({
      text: `    ${py(piece)}`,
      line: pieces.length > 1 || piece ? first + 1 + offset : first,
    })),
    { text: `)${suffix}`, line: first },
  ];
}
