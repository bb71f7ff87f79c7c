import { loadAll, YAMLException } from "js-yaml";
import { ParityError } from "../errors";
import { createYamlLocator, type YamlLocator } from "./locator";

export interface YamlDocument {
  value: unknown;
  locator: YamlLocator;
}

/** Profiles and pipelines need no more; a cap keeps alias bombs from exploding validation. */
const MAX_ALIASES = 1000;

/**
 * Parses a file that must hold exactly one YAML document. Syntax errors become ParityErrors that
 * name the file and the line; `what` names the document in messages ("profile", "pipeline").
 * With `firstOfMany`, documents after the first are allowed and left unread (kfp writes a
 * pipeline's platform spec as a second document).
 */
export function parseYamlDocument(
  text: string,
  file: string,
  what: string,
  options: { firstOfMany?: boolean } = {},
): YamlDocument {
  let documents: unknown[];
  try {
    documents = loadAll(text, { filename: file, maxAliases: MAX_ALIASES });
  } catch (error) {
    throw syntaxError(error, file, what);
  }
  if (documents.length === 0) {
    throw new ParityError("YamlEmpty", `The ${what} ${file} is empty.`, {
      location: { file, line: 1 },
      fix: `Write the ${what} as a YAML mapping, or delete the file.`,
    });
  }
  if (documents.length > 1 && !options.firstOfMany) {
    throw new ParityError("YamlMultipleDocuments", `The ${what} ${file} holds more than one YAML document.`, {
      location: { file, line: createYamlLocator(text, 1).lineOf([]) },
      fix: `Keep one document: remove the "---" separator and what follows it, or move it to its own file.`,
    });
  }
  return { value: documents[0], locator: createYamlLocator(text) };
}

function syntaxError(error: unknown, file: string, what: string): ParityError {
  if (!(error instanceof YAMLException)) {
    return new ParityError("YamlSyntax", `The ${what} ${file} could not be read as YAML.`, { cause: error });
  }
  const mark = error.mark;
  const where = mark ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : "";
  return new ParityError("YamlSyntax", `The ${what} is not valid YAML: ${error.reason}${where}.`, {
    location: { file, line: mark ? mark.line + 1 : undefined },
    fix: mark?.snippet
      ? `Fix the YAML near this spot (indentation, a missing ":" or an unclosed bracket):\n${mark.snippet}`
      : "Fix the YAML syntax.",
    cause: error,
  });
}
