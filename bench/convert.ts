// Converting a notebook whose stored outputs are huge (100 MB of plots and logs) against the same
// notebook without outputs: outputs are ignored, so the ratio should stay near the cost of
// parsing the JSON. Usage: node scripts/run-ts.mjs bench/convert.ts
import { convertNotebook } from "../src/core/notebook";
import { median } from "./timing";

const CELLS = 200;
const OUTPUT_BYTES = 100 * 1024 * 1024;

function notebook(outputBytesPerCell: number): string {
  const output = "x".repeat(outputBytesPerCell);
  const cells = Array.from({ length: CELLS }, (_, index) => ({
    cell_type: "code",
    metadata: {},
    execution_count: index + 1,
    source: [`value_${index} = ${index} * 2\n`, `print(value_${index})\n`],
    outputs: outputBytesPerCell ? [{ output_type: "stream", name: "stdout", text: [output] }] : [],
  }));
  return JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
}

const small = notebook(0);
const large = notebook(Math.floor(OUTPUT_BYTES / CELLS));
const baseline = median(() => convertNotebook(small, "small.ipynb"), 21);
const heavy = median(() => convertNotebook(large, "large.ipynb"), 5);
console.log(`bench: notebook conversion, ${CELLS} code cells`);
console.log(
  `without outputs (${(small.length / 1024).toFixed(0)} KiB)   ${baseline.toFixed(2).padStart(9)} ms`,
);
console.log(
  `with 100 MiB of outputs (${(large.length / 1024 ** 2).toFixed(0)} MiB) ${heavy.toFixed(2).padStart(9)} ms`,
);
console.log(
  `ratio: ${(heavy / baseline).toFixed(1)}x; ${(large.length / 1024 ** 2 / (heavy / 1000)).toFixed(0)} MiB/s`,
);
