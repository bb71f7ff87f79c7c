import { parseRequirements, quoteOption } from "../requirements";

/**
 * `%pip install ...` and `!pip install ...`: what they ask for, as lines of a requirements file
 * (`numpy==2.2.6`, `-r extra.txt`, `--index-url https://...`), so that the image build's pip reads
 * them with the same rules as the project's requirement files.
 */
export type PipCommand =
  | { kind: "install"; lines: string[] }
  | { kind: "other"; args: string[] }
  | { kind: "refused"; problem: string; fix: string };

/** `pip`, `pip3.11`, `python -m pip`, `{sys.executable} -m pip`, `/opt/conda/bin/python3 -m pip`. */
const PIP_PROGRAM =
  /^(?:(?:\S*\/)?pip[\d.]*|(?:(?:\S*\/)?python[\d.]*|["']?\{sys\.executable\}["']?)\s+-m\s+pip)(?=\s|$)/;

/** The pip arguments of a shell command, or undefined when it does not run pip. */
export function pipArguments(command: string): string | undefined {
  const match = PIP_PROGRAM.exec(command.trim());
  return match ? command.trim().slice(match[0].length) : undefined;
}

/** Options that change nothing about which packages end up installed. */
const HARMLESS_FLAGS = new Set([
  "-q",
  "-qq",
  "-qqq",
  "--quiet",
  "-v",
  "--verbose",
  "-U",
  "--upgrade",
  "--user",
  "--no-cache-dir",
  "--force-reinstall",
  "-I",
  "--ignore-installed",
  "--no-warn-script-location",
  "--disable-pip-version-check",
  "--no-input",
  "--no-build-isolation",
  "--no-deps",
  "--break-system-packages",
  "--root-user-action=ignore",
  "--no-color",
]);
const HARMLESS_WITH_VALUE = new Set([
  "--upgrade-strategy",
  "--progress-bar",
  "--root-user-action",
  "--timeout",
  "--retries",
]);
/** Options a requirements file may hold too: they become lines of their own. */
const FILE_FLAGS = new Set(["--no-index", "--pre", "--prefer-binary", "--require-hashes"]);
const FILE_OPTIONS: Readonly<Record<string, string>> = {
  "-r": "-r",
  "--requirement": "-r",
  "-c": "-c",
  "--constraint": "-c",
  "-e": "-e",
  "--editable": "-e",
  "-i": "--index-url",
  "--index-url": "--index-url",
  "--extra-index-url": "--extra-index-url",
  "-f": "--find-links",
  "--find-links": "--find-links",
  "--trusted-host": "--trusted-host",
  "--only-binary": "--only-binary",
  "--no-binary": "--no-binary",
};

export function parsePipCommand(argumentText: string): PipCommand {
  const words = shellWords(argumentText);
  if (typeof words === "string") {
    return {
      kind: "refused",
      problem: `Parity cannot read this pip line: ${words}.`,
      fix: "Put the pip install on a line of its own, with only pip's arguments.",
    };
  }
  const [subcommand, ...args] = words;
  if (subcommand !== "install") return { kind: "other", args: words };
  const lines: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const [option, inlineValue] = arg.startsWith("--") ? splitOnce(arg, "=") : [arg, undefined];
    const short = /^-[rcefi]./.test(arg) ? arg.slice(0, 2) : undefined;
    const takeValue = (): string => (short ? arg.slice(2) : (inlineValue ?? args[++i] ?? ""));
    if (/[{}$]/.test(arg)) {
      return refused(
        `pip's argument ${arg} depends on a Python variable, which Parity cannot know before the job runs.`,
      );
    }
    const fileOption = FILE_OPTIONS[short ?? option];
    if (fileOption) lines.push(`${fileOption} ${quoteOption(takeValue())}`);
    else if (FILE_FLAGS.has(arg)) lines.push(arg);
    else if (HARMLESS_FLAGS.has(arg)) continue;
    else if (HARMLESS_WITH_VALUE.has(option)) takeValue();
    else if (arg.startsWith("-")) {
      return refused(`pip's ${arg} option is not one Parity can carry into the image build.`);
    } else lines.push(arg);
  }
  // The same rules as a requirements file: what pip would refuse there is refused here.
  const problem = parseRequirements(lines.join("\n")).problems[0];
  if (problem) return refused(`pip install ${problem.text}: ${problem.message}.`, PIP_LINE_FIX);
  return { kind: "install", lines };
}

const PIP_LINE_FIX = "Add the package to the profile's requirements and remove the pip line.";

function refused(problem: string, fix = PIP_LINE_FIX): PipCommand {
  return { kind: "refused", problem, fix };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * POSIX-like word splitting with quotes. Output redirections (`> /dev/null`, `2>&1`) are dropped;
 * other shell operators make the line more than a pip call, so they return a problem sentence.
 */
export function shellWords(text: string): string[] | string {
  const words: string[] = [];
  let word: string | undefined;
  let redirect = false;
  const finish = (): void => {
    if (word !== undefined && !redirect) words.push(word);
    else if (word !== undefined) redirect = false;
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (/\s/.test(char)) finish();
    else if (char === "#" && word === undefined) break;
    else if (char === "'" || char === '"') {
      const end = text.indexOf(char, i + 1);
      if (end < 0) return `the quote ${char} is never closed`;
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (char === "\\") word = (word ?? "") + text.charAt(++i);
    else if (word === undefined && /^(?:\d|&)?>>?(?:&\d)?/.test(text.slice(i))) {
      const operator = /^(?:\d|&)?>>?(?:&\d)?/.exec(text.slice(i))?.[0] ?? ">";
      i += operator.length - 1;
      redirect = !operator.endsWith("&1") && !operator.endsWith("&2");
    } else if (";&|<`".includes(char) || text.startsWith("$(", i)) {
      return `the shell operator ${char === "$" ? "$(" : char} makes the line more than a pip command`;
    } else word = (word ?? "") + char;
  }
  finish();
  return words;
}
