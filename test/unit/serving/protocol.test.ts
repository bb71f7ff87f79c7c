import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { inferenceRequest, readAnswer, routesFor } from "../../../src/core/serving/protocol";

const SOURCE = "/work/project/request.json";

function refusal(run: () => unknown): ParityError {
  try {
    run();
  } catch (error) {
    if (error instanceof ParityError) return error;
    throw error;
  }
  throw new Error("expected a ParityError");
}

describe("routesFor", () => {
  it("gives KServe's V1, V2 and readiness routes for a model", () => {
    expect(routesFor("iris")).toEqual({
      v1: "/v1/models/iris:predict",
      v2: "/v2/models/iris/infer",
      ready: "/v2/health/ready",
      modelReady: "/v2/models/iris/ready",
    });
  });

  it("encodes the model's name in each route", () => {
    const routes = routesFor("my model/2");
    expect(routes.v1).toBe("/v1/models/my%20model%2F2:predict");
    expect(routes.v2).toBe("/v2/models/my%20model%2F2/infer");
    expect(routes.modelReady).toBe("/v2/models/my%20model%2F2/ready");
  });
});

describe("inferenceRequest with rows of lists", () => {
  const rows = [
    [5, 3, 1, 0],
    [6, 2, 4, 1],
  ];

  it("sends them as V1 instances", () => {
    expect(inferenceRequest("iris", "v1", rows, SOURCE)).toEqual({
      protocol: "v1",
      path: "/v1/models/iris:predict",
      body: { instances: rows },
      rows: 2,
    });
  });

  it("sends them as one V2 tensor of shape [rows, columns], flattened", () => {
    expect(inferenceRequest("iris", "v2", rows, SOURCE)).toEqual({
      protocol: "v2",
      path: "/v2/models/iris/infer",
      body: {
        inputs: [{ name: "input-0", shape: [2, 4], datatype: "INT64", data: [5, 3, 1, 0, 6, 2, 4, 1] }],
      },
      rows: 2,
    });
  });

  it.each([
    [
      "whole numbers",
      [
        [1, 2],
        [3, 4],
      ],
      "INT64",
    ],
    [
      "any fraction",
      [
        [1, 2.5],
        [3, 4],
      ],
      "FP64",
    ],
    [
      "booleans",
      [
        [true, false],
        [false, true],
      ],
      "BOOL",
    ],
    [
      "text",
      [
        ["a", "b"],
        ["c", "d"],
      ],
      "BYTES",
    ],
    [
      "numbers mixed with text",
      [
        [1, "b"],
        [3, 4],
      ],
      "BYTES",
    ],
    [
      "numbers mixed with booleans",
      [
        [1, true],
        [0, false],
      ],
      "BYTES",
    ],
  ])("types %s as %s", (_what, data, datatype) => {
    const body = inferenceRequest("m", "v2", data, SOURCE).body as { inputs: { datatype: string }[] };
    expect(body.inputs).toHaveLength(1);
    expect(body.inputs[0]!.datatype).toBe(datatype);
  });
});

describe("inferenceRequest with records", () => {
  const records = [
    { sepal: 5.1, count: 3, label: "a", ok: true },
    { sepal: 6.2, count: 4, label: "b", ok: false },
  ];

  it("sends them to V1 as given", () => {
    expect(inferenceRequest("iris", "v1", records, SOURCE)).toEqual({
      protocol: "v1",
      path: "/v1/models/iris:predict",
      body: { instances: records },
      rows: 2,
    });
  });

  it("sends them to V2 as one input per column, as a DataFrame (content_type pd)", () => {
    expect(inferenceRequest("iris", "v2", records, SOURCE).body).toEqual({
      parameters: { content_type: "pd" },
      inputs: [
        { name: "sepal", shape: [2], datatype: "FP64", data: [5.1, 6.2] },
        { name: "count", shape: [2], datatype: "INT64", data: [3, 4] },
        { name: "label", shape: [2], datatype: "BYTES", data: ["a", "b"] },
        { name: "ok", shape: [2], datatype: "BOOL", data: [true, false] },
      ],
    });
  });
});

describe("inferenceRequest with a whole body", () => {
  const v1Body = {
    instances: [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    parameters: { threshold: 0.5 },
  };
  const v2Body = {
    inputs: [{ name: "x", shape: [3, 2], datatype: "FP32", data: [1, 2, 3, 4, 5, 6] }],
  };

  it("passes a V1 body through untouched for V1", () => {
    const request = inferenceRequest("iris", "v1", v1Body, SOURCE);
    expect(request).toEqual({ protocol: "v1", path: "/v1/models/iris:predict", body: v1Body, rows: 3 });
    expect(request.body).toBe(v1Body);
  });

  it("converts a V1 body's instances to a V2 tensor when V2 is asked for", () => {
    expect(inferenceRequest("iris", "v2", v1Body, SOURCE)).toEqual({
      protocol: "v2",
      path: "/v2/models/iris/infer",
      body: { inputs: [{ name: "input-0", shape: [3, 2], datatype: "INT64", data: [1, 2, 3, 4, 5, 6] }] },
      rows: 3,
    });
  });

  it("passes a V2 body through untouched for V2, its rows from the first input's shape", () => {
    const request = inferenceRequest("iris", "v2", v2Body, SOURCE);
    expect(request).toEqual({ protocol: "v2", path: "/v2/models/iris/infer", body: v2Body, rows: 3 });
    expect(request.body).toBe(v2Body);
  });

  it("refuses a V2 body for V1, saying to send it with V2", () => {
    const error = refusal(() => inferenceRequest("iris", "v1", v2Body, SOURCE));
    expect(error.code).toBe("RequestDataInvalid");
    expect(error.message).toContain("it is a V2 request");
    expect(error.fix).toBe("Send it with --protocol v2, or give the rows alone.");
    expect(error.location).toEqual({ file: SOURCE });
  });
});

describe("inferenceRequest refuses data it cannot send", () => {
  it.each([
    ["no rows", [], "it has no rows"],
    ["no rows in a V1 body", { instances: [] }, "it has no rows"],
    [
      "uneven rows",
      [
        [1, 2, 3],
        [4, 5],
      ],
      "row 2 has 2 values, and row 1 has 3",
    ],
    ["lists mixed with records", [[1, 2], { a: 1 }], "neither all lists of values nor all records"],
    ["rows of bare values", [1, 2, 3], "neither all lists of values nor all records"],
    ["a number", 42, "neither a request body (an object) nor a list of rows"],
    ["text", "1,2,3", "neither a request body (an object) nor a list of rows"],
    ["null", null, "neither a request body (an object) nor a list of rows"],
    ["an object with no rows in it", { data: [[1, 2]] }, 'it has no "instances" (V1) or "inputs" (V2) list'],
    ["an empty row", [[]], "row 1 has no values"],
    [
      "records without the same columns",
      [{ a: 1 }, { b: 2 }],
      "row 1 lacks a value for some of the columns (a, b)",
    ],
    ["an empty record", [{}], "row 1 has no values"],
    ["an empty V2 body", { inputs: [] }, 'its "inputs" list is empty'],
  ])("refuses %s, naming the file", (_what, data, why) => {
    for (const protocol of ["v1", "v2"] as const) {
      const error = refusal(() => inferenceRequest("iris", protocol, data, SOURCE));
      expect(error.code).toBe("RequestDataInvalid");
      expect(error.message).toContain(why);
      expect(error.message).toMatch(/^The request data is not a request Parity can send: .*\.$/);
      expect(error.location).toEqual({ file: SOURCE });
      expect(error.fix).toContain('{"instances"');
    }
  });
});

describe("readAnswer", () => {
  it("reads V1 predictions", () => {
    expect(readAnswer("v1", 200, '{"predictions": [0, 2, 1]}')).toEqual({
      ok: true,
      status: 200,
      predictions: [0, 2, 1],
      body: { predictions: [0, 2, 1] },
    });
  });

  it("reads a single V2 output's data", () => {
    const text = JSON.stringify({
      model_name: "iris",
      outputs: [{ name: "output-0", shape: [2], datatype: "INT64", data: [1, 0] }],
    });
    const answer = readAnswer("v2", 200, text);
    expect(answer.ok).toBe(true);
    expect(answer.predictions).toEqual([1, 0]);
    expect(answer.body).toEqual(JSON.parse(text));
  });

  it("reads several V2 outputs as one list of their data", () => {
    const text = JSON.stringify({
      outputs: [
        { name: "label", shape: [2], datatype: "INT64", data: [1, 0] },
        { name: "proba", shape: [2], datatype: "FP64", data: [0.9, 0.8] },
      ],
    });
    expect(readAnswer("v2", 200, text).predictions).toEqual([
      [1, 0],
      [0.9, 0.8],
    ]);
  });

  it("takes the server's own error sentence from {error}", () => {
    expect(readAnswer("v1", 500, '{"error": "Model with name iris is not ready."}')).toEqual({
      ok: false,
      status: 500,
      error: "Model with name iris is not ready.",
      body: { error: "Model with name iris is not ready." },
    });
  });

  it("gives FastAPI's 422 detail as its JSON", () => {
    const detail = [{ loc: ["body", "instances"], msg: "field required", type: "value_error.missing" }];
    const answer = readAnswer("v1", 422, JSON.stringify({ detail }));
    expect(answer.ok).toBe(false);
    expect(answer.status).toBe(422);
    expect(answer.error).toBe(JSON.stringify(detail));
    expect(answer.predictions).toBeUndefined();
  });

  it("gives another JSON error body whole", () => {
    expect(readAnswer("v2", 400, '{"message": "bad"}').error).toBe('{"message":"bad"}');
  });

  it("keeps a text answer (a proxy's page) as text, cut to 500 characters", () => {
    const page = `<html><body>502 Bad Gateway${" ".repeat(600)}</body></html>`;
    const answer = readAnswer("v1", 502, page);
    expect(answer.ok).toBe(false);
    expect(answer.body).toBe(page);
    expect(answer.error).toBe(page.slice(0, 500));
    expect(answer.error).toHaveLength(500);
  });

  it("says a successful answer that is not a JSON object is not one", () => {
    expect(readAnswer("v1", 200, "OK")).toEqual({
      ok: false,
      status: 200,
      error: "the answer is not a JSON object",
      body: "OK",
    });
    expect(readAnswer("v2", 200, "[1, 2]").ok).toBe(false);
  });
});
