import { NotebookCellError } from "./cellError";
import { scanLine, START, startsStatement, type LexState } from "./lexer";
import { py, translateLineMagic, translatePip, type MagicContext, type Translation } from "./magics";
import { translateCellMagic } from "./cellMagics";
import { pipArguments } from "./pip";
import type { Helper } from "./runtime";
import type { OutputLine, SourceCell } from "./types";

/** What every cell's translation adds to the job. */
export interface SharedTranslation {
  fileName: string;
  helpers: Set<Helper>;
  requirements: string[];
  /** `from __future__` lines: Python only accepts them at the top of the script. */
  futureImports: { cell: SourceCell; line: OutputLine }[];
  names: number;
}

/** `lines = !command` (one or more plain targets). */
const ASSIGNMENT = /^((?:[A-Za-z_][\w.]*\s*,\s*)*[A-Za-z_][\w.]*)\s*=\s*([!%])(.*)$/;

/** Turns one code cell into Python lines; magics are translated or refused with the cell and line. */
export class CellTranslator implements MagicContext {
  private line = 1;

  constructor(
    private readonly cell: SourceCell,
    private readonly shared: SharedTranslation,
  ) {}

  /** Translates `lines`, the first of which is line `first` of the cell. */
  translate(lines: string[], first = 1): OutputLine[] {
    const magic = /^%%(\w+)(.*)$/.exec(lines[0] ?? "");
    if (magic) {
      this.line = first;
      return translateCellMagic(magic[1] ?? "", (magic[2] ?? "").trim(), lines.slice(1), first, this);
    }
    const output: OutputLine[] = [];
    let state: LexState = START;
    for (let i = 0; i < lines.length; i++) {
      this.line = first + i;
      if (startsStatement(state)) {
        const special = this.translateStatement(lines, i);
        if (special) {
          output.push(...special.output);
          i += special.consumed - 1;
          continue;
        }
      }
      const text = lines[i] ?? "";
      state = scanLine(text, state).next;
      output.push({ text, line: this.line });
    }
    return output;
  }

  private translateStatement(
    lines: string[],
    at: number,
  ): { output: OutputLine[]; consumed: number } | undefined {
    const text = lines[at] ?? "";
    const indent = /^\s*/.exec(text)?.[0] ?? "";
    let statement = text.slice(indent.length);
    if (/^from\s+__future__\s+import\b/.test(statement) && !indent) {
      this.shared.futureImports.push({ cell: this.cell, line: { text, line: this.line } });
      return {
        output: [{ text: `# ${text}  (moved to the top of the script)`, line: this.line }],
        consumed: 1,
      };
    }
    const isMagic =
      /^[!%]/.test(statement) || ASSIGNMENT.test(statement) || /^pip\s+install\b/.test(statement);
    if (!isMagic) {
      const code = scanLine(text, START).code.trim();
      if (code.startsWith("?") || code.endsWith("?")) {
        this.fail(
          "NotebookHelpSyntax",
          "Help syntax (name? or ?name) cannot run in a batch job.",
          "Remove the line.",
        );
      }
      return undefined;
    }
    // IPython joins a magic line ending in a backslash with the next line.
    let consumed = 1;
    while (statement.endsWith("\\") && at + consumed < lines.length) {
      statement = `${statement.slice(0, -1).trimEnd()} ${(lines[at + consumed] ?? "").trim()}`;
      consumed++;
    }
    const translation = this.translateMagicStatement(statement);
    const output =
      "note" in translation
        ? [
            {
              text: `${indent ? `${indent}pass  ` : ""}# ${statement}  (${translation.note})`,
              line: this.line,
            },
          ]
        : translation.code.map((code) => ({ text: indent + code, line: this.line }));
    return { output, consumed };
  }

  private translateMagicStatement(statement: string): Translation {
    if (statement.startsWith("%%")) {
      this.fail(
        "NotebookMisplacedCellMagic",
        `The cell magic ${statement.split(/\s/)[0]} only works on the first line of a cell.`,
        "Move it to the first line, or split the cell so that it starts the new cell.",
      );
    }
    const assignment = ASSIGNMENT.exec(statement);
    if (assignment) {
      const [, targets, kind, command] = assignment;
      if (kind === "%") {
        this.fail(
          "NotebookUnsupportedMagic",
          "Assigning the result of a magic cannot run in a batch job.",
          "Call the Python function the magic wraps, or use `lines = !command` for shell output.",
        );
      }
      this.use("sh");
      return {
        code: [`${targets} = _parity_sh(${py((command ?? "").replace(/^!/, "").trim())}, capture=True)`],
      };
    }
    if (statement.startsWith("!")) return this.translateShell(statement.replace(/^!!?/, "").trim());
    if (statement.startsWith("%")) {
      const [, name = "", args = ""] = /^%(\w*)(.*)$/.exec(statement) ?? [];
      return translateLineMagic(name, args.trim(), this);
    }
    return translatePip(statement.replace(/^pip\s+/, ""), this);
  }

  private translateShell(command: string): Translation {
    const pip = pipArguments(command);
    if (pip !== undefined) return translatePip(pip, this);
    const installer = /^(?:sudo\s+)?(conda|mamba|apt-get|apt|yum|apk)\s+(?:-\S+\s+)*(?:install|add)\b/.exec(
      command,
    )?.[1];
    if (installer) {
      this.fail(
        "NotebookUnsupportedInstall",
        `Installing packages with ${installer} while the job runs is not possible: packages come from the image.`,
        installer === "conda" || installer === "mamba"
          ? "Add the package to the profile's requirements and remove the line."
          : "Add the package to the profile's system packages and remove the line.",
      );
    }
    this.use("sh");
    return { code: [`_parity_sh(${py(command)})`] };
  }

  use(helper: Helper): void {
    this.shared.helpers.add(helper);
  }

  addRequirements(lines: string[]): void {
    for (const line of lines)
      if (!this.shared.requirements.includes(line)) this.shared.requirements.push(line);
  }

  uniqueName(stem: string): string {
    return `_parity_${stem}_${++this.shared.names}`;
  }

  fail(code: string, message: string, fix: string): never {
    throw new NotebookCellError(code, message, fix, this.shared.fileName, this.cell, this.line);
  }
}
