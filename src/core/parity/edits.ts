import type { ParityEdit } from "./types";

/** 0-based, as editors count. */
export interface TextPosition {
  line: number;
  character: number;
}

/** A change to one file: replace `range` with `text` (an empty range inserts). */
export interface TextChange {
  file: string;
  range: { start: TextPosition; end: TextPosition };
  text: string;
  /** The file does not exist yet: create it with `text`. */
  createFile?: boolean;
}

export type EditResolution = { ok: true; change: TextChange } | { ok: false; reason: string };

/** A requirement pinned to a version, keeping the extras and marker it was written with. */
export function pinnedRequirement(
  requirement: { name: string; extras: string[]; marker?: string },
  version: string,
): string {
  const extras = requirement.extras.length > 0 ? `[${requirement.extras.join(",")}]` : "";
  const marker = requirement.marker ? ` ; ${requirement.marker}` : "";
  return `${requirement.name}${extras}==${version}${marker}`;
}

/** Only plain requirements files can be edited line by line (not a notebook's %pip lines). */
export function isEditableRequirementsFile(file: string, line?: number): boolean {
  return !/\.ipynb$/i.test(file) && (line === undefined || line > 0);
}

/**
 * Turns a report's edit into a text change against the file's current text (undefined when the
 * file does not exist). Refuses, with the reason as a sentence, when the file no longer has what
 * the report saw, or already has the new line.
 */
export function resolveParityEdit(edit: ParityEdit, currentText: string | undefined): EditResolution {
  if (edit.line === undefined) return appendLine(edit, currentText);
  const stale = {
    ok: false as const,
    reason: `${edit.file} changed since the report was made: line ${edit.line} no longer reads "${edit.oldText ?? ""}". Check parity again, then apply the fix.`,
  };
  if (currentText === undefined) {
    return { ok: false, reason: `${edit.file} does not exist any more. Check parity again.` };
  }
  const lines = currentText.split("\n");
  const content = lines[edit.line - 1]?.replace(/\r$/, "");
  const column = content === undefined || !edit.oldText ? -1 : content.indexOf(edit.oldText);
  if (column < 0) return stale;
  const line = edit.line - 1;
  return {
    ok: true,
    change: {
      file: edit.file,
      range: {
        start: { line, character: column },
        end: { line, character: column + edit.oldText!.length },
      },
      text: edit.newText,
    },
  };
}

function appendLine(edit: ParityEdit, currentText: string | undefined): EditResolution {
  if (currentText === undefined) {
    return {
      ok: true,
      change: {
        file: edit.file,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        text: `${edit.newText}\n`,
        createFile: true,
      },
    };
  }
  const lines = currentText.split("\n");
  if (lines.some((line) => line.trim() === edit.newText)) {
    return { ok: false, reason: `${edit.file} already lists ${edit.newText}. Check parity again.` };
  }
  const eol = currentText.includes("\r\n") ? "\r\n" : "\n";
  const last = lines.length - 1;
  const end = { line: last, character: lines[last]!.length };
  const endsWithNewline = currentText === "" || currentText.endsWith("\n");
  return {
    ok: true,
    change: {
      file: edit.file,
      range: { start: end, end },
      text: `${endsWithNewline ? "" : eol}${edit.newText}${eol}`,
    },
  };
}
