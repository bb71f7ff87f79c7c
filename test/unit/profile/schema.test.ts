import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import schema from "../../../src/core/profile/parity.schema.json";
import { PROFILE_SCHEMA_OPTIONS } from "../../../src/core/profile/parse";

describe("the profile's JSON schema", () => {
  it("is a valid schema under ajv's meta-schema (the runtime skips this check to start faster)", () => {
    const ajv = new Ajv({ ...PROFILE_SCHEMA_OPTIONS, validateSchema: true });
    ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(ajv.errors ?? []).toEqual([]);
    expect(() => ajv.compile(schema)).not.toThrow();
  });
});
