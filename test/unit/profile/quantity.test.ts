import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import {
  bytesToQuantity,
  formatBytes,
  milliCpuToQuantity,
  parseQuantity,
  quantityToBytes,
  quantityToMilliCpu,
  quantityToNanoCpus,
  type QuantityKind,
} from "../../../src/core/profile";
import schema from "../../../src/core/profile/parity.schema.json";

const GI = 1024 ** 3;
const MI = 1024 ** 2;

describe("quantityToBytes", () => {
  it.each([
    ["8Gi", 8 * GI],
    ["256Mi", 256 * MI],
    ["1Ki", 1024],
    ["1Ti", 1024 ** 4],
    ["1.5Gi", 1.5 * GI],
    ["8G", 8e9],
    ["1k", 1000],
    ["1M", 1e6],
    ["1e3", 1000],
    ["1E3", 1000],
    ["1e+3", 1000],
    ["12e-1", 2],
    ["1.5", 2],
    ["500m", 1],
    ["0.1", 1],
    ["1000", 1000],
    [".5Ki", 512],
    ["1.", 1],
    ["+5", 5],
    [8589934592, 8 * GI],
    [0, 0],
  ] as const)("%s is %d bytes", (text, bytes) => {
    expect(quantityToBytes(text)).toBe(bytes);
  });

  it("rejects negatives", () => {
    expect(() => quantityToBytes("-1Gi")).toThrow(/negative/);
  });

  it("rejects sizes no machine has, instead of losing precision", () => {
    expect(() => quantityToBytes("16Ei")).toThrow(/too large/);
  });
});

describe("parseQuantity", () => {
  it("is exact: mantissa and scale, no floats", () => {
    expect(parseQuantity("0.1")).toMatchObject({ unscaled: 1n, scale: 1, format: "DecimalSI" });
    expect(parseQuantity("1.5Gi")).toMatchObject({
      unscaled: 15n * 1024n ** 3n,
      scale: 1,
      format: "BinarySI",
    });
    expect(parseQuantity("500m")).toMatchObject({ unscaled: 500n, scale: 3 });
    expect(parseQuantity("2e3")).toMatchObject({ unscaled: 2000n, scale: 0, format: "DecimalExponent" });
    expect(parseQuantity("-3")).toMatchObject({ unscaled: -3n });
  });

  it.each(["", ".", "Gi", "1e", "1e3.5", "1ee3", "1Gii", "1.2.3", " 1Gi", "1Gi ", "1 Gi", "0x10", "1e999"])(
    "rejects %j",
    (text) => {
      expect(() => parseQuantity(text)).toThrow(ParityError);
    },
  );
});

describe("wrong units suggest the fix", () => {
  it.each<[string, QuantityKind, RegExp]>([
    ["8GB", "memory", /Write "8Gi" for 8 GiB .*or "8G" if you really mean 8 × 1000³ bytes/],
    ["8 gb", "memory", /Write "8Gi"/],
    ["8gi", "memory", /Write "8Gi"/],
    ["8GiB", "memory", /Write "8Gi"/],
    ["512MB", "memory", /Write "512Mi".*"512M"/],
    ["8g", "memory", /Write "8Gi"/],
    ["4K", "memory", /Write "4Ki".*"4k"/],
    ["8 Gi", "memory", /Remove the spaces: "8Gi"/],
    ["1024 bytes", "memory", /Plain numbers are bytes: write "1024"/],
    ["2 cores", "cpu", /CPUs are plain numbers: write "2"/],
    ["2cpu", "cpu", /write "2"/],
    ["500 millicores", "cpu", /"500m"/],
    ["2GB", "cpu", /CPUs are plain numbers: write "2"/],
    ["lots", "memory", /such as "8Gi"/],
    ["lots", "cpu", /such as "2"/],
  ])("%j (%s)", (text, kind, fix) => {
    let error: unknown;
    try {
      parseQuantity(text, kind);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ParityError);
    expect((error as ParityError).message).toBe(`"${text}" is not a valid Kubernetes quantity.`);
    expect((error as ParityError).fix).toMatch(fix);
  });
});

describe("cpu", () => {
  it.each([
    ["2", 2000, 2e9],
    ["500m", 500, 5e8],
    ["0.5", 500, 5e8],
    ["1.5", 1500, 1.5e9],
    ["0.0001", 1, 100_000],
    ["100u", 1, 100_000],
    ["1n", 1, 1],
    [4, 4000, 4e9],
  ] as const)("%s is %d millicores and %d nanocores", (text, milli, nano) => {
    expect(quantityToMilliCpu(text)).toBe(milli);
    expect(quantityToNanoCpus(text)).toBe(nano);
  });
});

describe("formatting", () => {
  it.each([
    [8 * GI, "8 GiB"],
    [256 * MI, "256 MiB"],
    [1.5 * GI, "1.5 GiB"],
    [512, "512 B"],
    [1024, "1 KiB"],
    [0, "0 B"],
    [1234567, "1.2 MiB"],
    [8n * BigInt(GI), "8 GiB"],
  ])("formatBytes(%d) is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("writes exact Kubernetes quantities back", () => {
    expect(bytesToQuantity(8 * GI)).toBe("8Gi");
    expect(bytesToQuantity(1.5 * GI)).toBe("1536Mi");
    expect(bytesToQuantity(1000)).toBe("1000");
    expect(bytesToQuantity(0)).toBe("0");
    expect(milliCpuToQuantity(2000)).toBe("2");
    expect(milliCpuToQuantity(500)).toBe("500m");
  });
});

describe("the schema's quantity pattern", () => {
  const pattern = new RegExp(schema.definitions.quantity.pattern);
  it.each([
    "8Gi",
    "500m",
    "1.5",
    "1e3",
    "1E-3",
    ".5",
    "1.",
    "+1",
    "-1",
    "100u",
    "8GB",
    "8 Gi",
    "8gi",
    "Gi",
    "1e3.5",
    ".",
  ])("agrees with parseQuantity on %j", (text) => {
    let parses = true;
    try {
      parseQuantity(text);
    } catch {
      parses = false;
    }
    expect(pattern.test(text)).toBe(parses);
  });
});
