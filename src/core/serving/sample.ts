/**
 * Rows of a CSV file as a request's records: the first `count` data rows, holding only `columns`
 * (the ones the model was fitted on, in its order; a target column beside them is left out),
 * numbers read as numbers. Undefined when the header lacks one of the columns.
 * A plain CSV as pandas' `to_csv` writes it: commas, double quotes around fields that need them.
 */
export function rowsFromCsv(
  text: string,
  columns: string[],
  count: number,
): Record<string, number | string>[] | undefined {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = lines[0] ? splitCsvLine(lines[0]) : [];
  const positions = columns.map((column) => header.indexOf(column));
  if (columns.length === 0 || positions.some((position) => position < 0)) return undefined;
  return lines.slice(1, 1 + count).map((line) => {
    const fields = splitCsvLine(line);
    return Object.fromEntries(
      columns.map((column, index) => [column, valueOf(fields[positions[index]!] ?? "")]),
    );
  });
}

function valueOf(field: string): number | string {
  const number = Number(field);
  return field.trim() !== "" && Number.isFinite(number) ? number : field;
}

/** One CSV line's fields: commas outside double quotes split, "" inside quotes is one quote. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ",") {
      fields.push(field);
      field = "";
    } else field += character;
  }
  fields.push(field);
  return fields;
}
