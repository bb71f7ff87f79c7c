import { parsePipCommand, shellWords } from "./pip";
import type { Helper } from "./runtime";

/** What a magic turns into: Python lines, or nothing but a note saying why the line went away. */
export type Translation = { code: string[] } | { note: string };

/** What the cell translator lends the magic handlers. `fail` throws a NotebookCellError. */
export interface MagicContext {
  use(helper: Helper): void;
  /** Lines of a requirements file, from a `pip install`. */
  addRequirements(lines: string[]): void;
  /** A fresh Python name, so nested timers do not overwrite each other. */
  uniqueName(stem: string): string;
  fail(code: string, message: string, fix: string): never;
}

export const py = (text: string): string => JSON.stringify(text);

const QUIET_MAGICS: Record<string, string> = {
  load_ext: "extensions are for interactive sessions",
  reload_ext: "extensions are for interactive sessions",
  autoreload: "modules load fresh in a new process",
  aimport: "modules load fresh in a new process",
  config: "IPython settings do not apply to a plain Python script",
};

const REFUSED_MAGICS: Record<string, [reason: string, fix: string]> = {
  debug: [
    "it needs someone at the keyboard",
    "Remove it; Parity shows the failing cell and line when the job fails.",
  ],
  pdb: [
    "it needs someone at the keyboard",
    "Remove it; Parity shows the failing cell and line when the job fails.",
  ],
  run: [
    "it runs another file, and Parity converts one notebook",
    "Import the code from a module next to the notebook instead.",
  ],
  load: ["it loads code into the editor", "Paste the code into the cell or import it from a module."],
  conda: [
    "packages come from the image, not from conda at run time",
    "Add the package to the profile's requirements.",
  ],
  mamba: [
    "packages come from the image, not from mamba at run time",
    "Add the package to the profile's requirements.",
  ],
};

const DISPLAY_MAGICS = new Set(["html", "javascript", "js", "latex", "markdown", "svg"]);
export const TIMEIT_OPTIONS = /^(?:\s*-(?:[nrp]\s*\d+|[tcqo]))*\s*/;

export function translateLineMagic(name: string, args: string, context: MagicContext): Translation {
  const quiet = QUIET_MAGICS[name];
  if (quiet !== undefined) return { note: `not needed in a batch job: ${quiet}` };
  switch (name) {
    case "pip":
      return translatePip(args, context);
    case "matplotlib":
      context.use("matplotlib");
      return { note: "the script sets the non-interactive Agg backend before the first cell" };
    case "env":
      return translateEnv(args, context);
    case "cd":
    case "pwd":
      context.use("cd");
      return { code: [`_parity_cd(${py(name === "pwd" ? "." : unquote(args))})`] };
    case "sx":
    case "system":
      context.use("sh");
      return { code: [`_parity_sh(${py(args)})`] };
    case "time":
    case "timeit": {
      const statement = name === "timeit" ? args.replace(TIMEIT_OPTIONS, "") : args.trim();
      if (!statement) return { note: "nothing to time" };
      return { code: timed(name, [statement], context) };
    }
  }
  return refuse("%", name, context);
}

export function refuse(prefix: "%" | "%%", name: string, context: MagicContext): never {
  const [reason, fix] = DISPLAY_MAGICS.has(name)
    ? ["it only displays something in the notebook", "Remove it, or turn the cell into a markdown cell."]
    : (REFUSED_MAGICS[name] ?? [
        "Parity does not know how to run it",
        "Remove it or replace it with plain Python (shell commands can use !command).",
      ]);
  context.fail(
    "NotebookUnsupportedMagic",
    `The magic ${prefix}${name} cannot run in a batch job: ${reason}.`,
    fix,
  );
}

/** Lines that time `body` once, as %time / %%time / %timeit / %%timeit do, printing the wall time. */
export function timed(name: string, body: string[], context: MagicContext): string[] {
  context.use("time");
  const started = context.uniqueName("started");
  const label = name === "timeit" ? "Wall time (timeit, run once by Parity)" : "Wall time";
  return [
    `${started} = _parity_time.perf_counter()`,
    ...body,
    `_parity_report_time(${py(label)}, ${started})`,
  ];
}

export function translatePip(args: string, context: MagicContext): Translation {
  const command = parsePipCommand(args);
  if (command.kind === "refused") context.fail("NotebookUnsupportedPip", command.problem, command.fix);
  if (command.kind === "other") {
    context.use("pip");
    return { code: [`_parity_pip(${command.args.map(py).join(", ")})`] };
  }
  context.addRequirements(command.lines);
  return { note: "installed in the image from the job's requirements" };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function translateEnv(args: string, context: MagicContext): Translation {
  const text = args.trim();
  context.use("os");
  if (!text) return { code: ["print(dict(_parity_os.environ))"] };
  const match = /^([^\s=]+)(?:\s*=\s*|\s+)(.*)$/.exec(text);
  const name = match?.[1] ?? text;
  if (!ENV_NAME.test(name)) {
    context.fail(
      "NotebookInvalidEnv",
      `%env needs a variable name, and ${name} is not one.`,
      "Write it as %env NAME=value.",
    );
  }
  if (!match) return { code: [`print(_parity_os.environ[${py(name)}])`] };
  const value = unquote(match[2] ?? "");
  const expression = /[{$]/.test(value) ? (context.use("expand"), `_parity_expand(${py(value)})`) : py(value);
  return { code: [`_parity_os.environ[${py(name)}] = ${expression}`] };
}

/** A single shell word without its quotes (`"my dir"` → `my dir`); other text unchanged. */
export function unquote(text: string): string {
  const words = shellWords(text);
  return Array.isArray(words) && words.length === 1 ? (words[0] ?? "") : text.trim();
}
