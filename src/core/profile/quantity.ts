import { ParityError } from "../errors";

/**
 * Kubernetes resource quantities ("8Gi", "500m", "1.5", "1e3"), parsed with the grammar of
 * k8s.io/apimachinery's resource.ParseQuantity and kept exact: a quantity is
 * `unscaled × 10^-scale` with a bigint mantissa, so "0.1" or "1.5Gi" never pass through a float.
 */
export interface Quantity {
  /** The text as written (numbers from YAML are turned into their decimal text). */
  readonly text: string;
  readonly unscaled: bigint;
  /** Number of decimal places of `unscaled`; never negative. */
  readonly scale: number;
  readonly format: "BinarySI" | "DecimalSI" | "DecimalExponent";
}

/** What a quantity measures; it only changes which fix we suggest for a wrong unit. */
export type QuantityKind = "memory" | "cpu" | "any";

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
/** Exponents beyond this are typos, not resources; it also keeps the bigint arithmetic small. */
const MAX_EXPONENT = 64;

const QUANTITY_SHAPE = /^([+-]?)(\d*)(?:\.(\d*))?([a-zA-Z]*|[eE][+-]?\d+)$/;

/** Parses a Kubernetes quantity; throws a ParityError that suggests the right spelling. */
export function parseQuantity(text: string | number, kind: QuantityKind = "any"): Quantity {
  // String(1e21) is "1e+21", which the grammar accepts; NaN and Infinity fail to parse.
  const source = String(text);
  const parsed = tryParseQuantity(source);
  if (parsed) return parsed;
  throw new ParityError("QuantityInvalid", `"${source}" is not a valid Kubernetes quantity.`, {
    fix: suggestQuantityFix(source, kind),
  });
}

function tryParseQuantity(text: string): Quantity | undefined {
  const match = QUANTITY_SHAPE.exec(text);
  if (!match) return undefined;
  const [, sign = "", whole = "", fraction = "", suffix = ""] = match;
  if (whole === "" && fraction === "") return undefined;
  let unscaled = BigInt(whole + fraction || "0");
  let scale = fraction.length;
  let format: Quantity["format"];
  if (suffix in BINARY_SUFFIXES) {
    unscaled *= 1024n ** BigInt(BINARY_SUFFIXES[suffix] ?? 0);
    format = "BinarySI";
  } else if (suffix in DECIMAL_SUFFIXES) {
    scale -= DECIMAL_SUFFIXES[suffix] ?? 0;
    format = "DecimalSI";
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
    scale -= exponent;
    format = "DecimalExponent";
  } else {
    return undefined;
  }
  if (scale < 0) {
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { text, unscaled: sign === "-" ? -unscaled : unscaled, scale, format };
}

/** ceil(quantity × multiplier): Kubernetes rounds up when it turns a quantity into whole units. */
export function ceilQuantity(quantity: Quantity, multiplier: bigint = 1n): bigint {
  const numerator = quantity.unscaled * multiplier;
  const denominator = 10n ** BigInt(quantity.scale);
  const quotient = numerator / denominator;
  return numerator > 0n && numerator % denominator !== 0n ? quotient + 1n : quotient;
}

export function isNegative(quantity: Quantity): boolean {
  return quantity.unscaled < 0n;
}

/** Bytes of a memory quantity, rounded up like Kubernetes ("1.5" → 2, "500m" → 1). */
export function quantityToBytes(text: string | number): number {
  return toSafeNumber(parseQuantity(text, "memory"), 1n, "bytes");
}

/** Thousandths of a CPU ("500m" → 500, "2" → 2000, "0.0001" → 1), rounded up like Kubernetes. */
export function quantityToMilliCpu(text: string | number): number {
  return toSafeNumber(parseQuantity(text, "cpu"), 1000n, "millicores");
}

/** Billionths of a CPU, as Docker's NanoCpus wants them ("1.5" → 1500000000). */
export function quantityToNanoCpus(text: string | number): number {
  return toSafeNumber(parseQuantity(text, "cpu"), 1_000_000_000n, "nanocores");
}

function toSafeNumber(quantity: Quantity, multiplier: bigint, unit: string): number {
  if (isNegative(quantity)) {
    throw new ParityError("QuantityNegative", `"${quantity.text}" is negative.`, {
      fix: "Resources are amounts: remove the minus sign.",
    });
  }
  const value = ceilQuantity(quantity, multiplier);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ParityError("QuantityTooLarge", `"${quantity.text}" is too large (${value} ${unit}).`, {
      fix: "Check the unit: no machine has that much of it.",
    });
  }
  return Number(value);
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] as const;

/** Human-readable binary size: 8589934592 → "8 GiB", 1610612736 → "1.5 GiB", 512 → "512 B". */
export function formatBytes(bytes: number | bigint): string {
  let value = Number(bytes);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // One decimal, as people say sizes: "9.8 GiB", "84.6 MiB".
  const rounded = unit === 0 ? String(value) : String(Number(value.toFixed(1)));
  return `${rounded} ${BYTE_UNITS[unit]}`;
}

/** Bytes as the shortest exact Kubernetes quantity: 8589934592 → "8Gi", 1000 → "1000". */
export function bytesToQuantity(bytes: number): string {
  const suffixes = Object.entries(BINARY_SUFFIXES).reverse();
  for (const [suffix, power] of suffixes) {
    const unit = 1024 ** power;
    if (bytes !== 0 && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** Millicores as a Kubernetes quantity: 2000 → "2", 500 → "500m". */
export function milliCpuToQuantity(milliCpu: number): string {
  return milliCpu % 1000 === 0 ? String(milliCpu / 1000) : `${milliCpu}m`;
}

/** Units people write for memory, by lower-cased spelling without spaces: [binary, decimal]. */
const MEMORY_WORDS: Record<string, [string, string]> = {
  k: ["Ki", "k"],
  kb: ["Ki", "k"],
  kib: ["Ki", "k"],
  ki: ["Ki", "k"],
  m: ["Mi", "M"],
  mb: ["Mi", "M"],
  mib: ["Mi", "M"],
  mi: ["Mi", "M"],
  g: ["Gi", "G"],
  gb: ["Gi", "G"],
  gib: ["Gi", "G"],
  gi: ["Gi", "G"],
  t: ["Ti", "T"],
  tb: ["Ti", "T"],
  tib: ["Ti", "T"],
  ti: ["Ti", "T"],
  p: ["Pi", "P"],
  pb: ["Pi", "P"],
  pib: ["Pi", "P"],
  pi: ["Pi", "P"],
  e: ["Ei", "E"],
  eb: ["Ei", "E"],
  eib: ["Ei", "E"],
  ei: ["Ei", "E"],
};
const BYTE_WORDS = new Set(["b", "byte", "bytes"]);
const CPU_WORDS = new Set(["core", "cores", "cpu", "cpus", "vcpu", "vcpus"]);
const MILLICPU_WORDS = new Set(["millicore", "millicores", "millicpu", "millicpus", "mcpu", "mcpus"]);
const POWERS: Record<string, string> = {
  K: "1024",
  M: "1024²",
  G: "1024³",
  T: "1024⁴",
  P: "1024⁵",
  E: "1024⁶",
};
const DECIMAL_POWERS: Record<string, string> = {
  k: "1000",
  M: "1000²",
  G: "1000³",
  T: "1000⁴",
  P: "1000⁵",
  E: "1000⁶",
};

/** A sentence that says how to write what the user most likely meant. */
export function suggestQuantityFix(text: string, kind: QuantityKind): string {
  const examples =
    kind === "cpu"
      ? 'Write a number of CPUs such as "2" or "0.5", or millicores such as "500m".'
      : kind === "memory"
        ? 'Write a number with a binary suffix, such as "8Gi" or "512Mi" (Ki, Mi, Gi, Ti, Pi, Ei).'
        : 'Write a number with an optional suffix, such as "8Gi", "500m" or "2".';
  const match = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-zA-Z]+)?\s*$/.exec(text);
  if (!match) return examples;
  const [, number = "", unit = ""] = match;
  const word = unit.toLowerCase();
  if (unit === "" || tryParseQuantity(`${number}${unit}`)) {
    return `Remove the spaces: "${number}${unit}".`;
  }
  if (BYTE_WORDS.has(word)) return `Plain numbers are bytes: write "${number}".`;
  if (CPU_WORDS.has(word)) return `CPUs are plain numbers: write "${number}".`;
  if (MILLICPU_WORDS.has(word)) return `Write millicores with an "m": "${number}m".`;
  const memory = MEMORY_WORDS[word];
  if (memory) {
    const [binary, decimal] = memory;
    const letter = binary.charAt(0);
    if (kind === "cpu") return `CPUs are plain numbers: write "${number}", or "${number}m" for millicores.`;
    return (
      `Write "${number}${binary}" for ${number} ${letter}iB (${number} × ${POWERS[letter]} bytes, what memory sizes ` +
      `usually mean), or "${number}${decimal}" if you really mean ${number} × ${DECIMAL_POWERS[decimal]} bytes.`
    );
  }
  return examples;
}
