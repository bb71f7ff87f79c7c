import { describe, expect, it } from "vitest";
import { rowsFromCsv, splitCsvLine } from "../../../src/core/serving/sample";

const IRIS = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,0
4.9,3.0,1.4,0.2,0
4.7,3.2,1.3,0.2,0
4.6,3.1,1.5,0.2,0
`;

describe("rowsFromCsv", () => {
  it("takes the first rows, only the model's columns in its order, numbers as numbers", () => {
    expect(rowsFromCsv(IRIS, ["petal_width", "sepal_length"], 2)).toEqual([
      { petal_width: 0.2, sepal_length: 5.1 },
      { petal_width: 0.2, sepal_length: 4.9 },
    ]);
  });

  it("gives fewer rows when the file has fewer, and reads CRLF files", () => {
    expect(rowsFromCsv("a,b\r\n1,2\r\n", ["a", "b"], 3)).toEqual([{ a: 1, b: 2 }]);
  });

  it("says nothing when a column the model needs is not in the header, or none is asked", () => {
    expect(rowsFromCsv(IRIS, ["sepal_length", "colour"], 3)).toBeUndefined();
    expect(rowsFromCsv(IRIS, [], 3)).toBeUndefined();
    expect(rowsFromCsv("", ["a"], 3)).toBeUndefined();
  });

  it("keeps text that is not a number as text, and an empty field as empty text", () => {
    expect(rowsFromCsv('city,size\n"Paris, France",\n', ["city", "size"], 1)).toEqual([
      { city: "Paris, France", size: "" },
    ]);
  });
});

describe("splitCsvLine", () => {
  it("splits on commas outside quotes and reads doubled quotes inside them", () => {
    expect(splitCsvLine('1,"a, b","say ""hi""",')).toEqual(["1", "a, b", 'say "hi"', ""]);
  });
});
