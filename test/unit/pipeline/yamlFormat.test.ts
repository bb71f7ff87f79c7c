import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import schema from "../../../src/core/pipeline/pipeline.schema.json";
import { PIPELINE_SCHEMA_OPTIONS, parsePipelineYaml } from "../../../src/core/pipeline/yamlFormat";

const FILE = "/work/digits/pipeline.yaml";

function parseError(text: string): ParityError {
  try {
    parsePipelineYaml(text, FILE);
  } catch (error) {
    if (error instanceof ParityError) return error;
    throw error;
  }
  throw new Error("expected parsePipelineYaml to throw");
}

/** Each problem as "line field: message", the way a user reads them; one problem is its own headline. */
function problems(error: ParityError): string[] {
  const all = error.details.length > 0 ? error.details : [error];
  return all.map((problem) => `${problem.location?.line} ${problem.location?.field}: ${problem.message}`);
}

/** The only problem of an error: the detail when the error lists one, else the error itself. */
function onlyProblem(error: ParityError): ParityError {
  expect(error.code).toBe("PipelineInvalid");
  if (error.details.length === 0) return error;
  expect(problems(error)).toHaveLength(1);
  return error.details[0]!;
}

const FULL = `name: digits
parameters:
  epochs: 3
  rate: 0.5
  scale: 1.0
  optimizer: adam
  quoted: "it's a \\\\ path"
  shuffle: true
  verbose: false
  seed:
steps:
  - name: prepare
    notebook: prepare.ipynb
    outputs: [dataset, labels]
    resources: {memory: 512Mi, cpu: "1", gpu: 0}
  - name: train
    script: src/train.py
    after: [prepare]
    inputs:
      dataset: prepare.dataset
    outputs: [model]
    resources:
      memory: 8Gi
      cpu: 500m
      gpu: 1
    retries: 2
    cache: false
  - name: evaluate
    notebook: ./eval/evaluate.ipynb
    inputs:
      model: train.model
      truth: prepare.labels
`;

describe("parsePipelineYaml: a complete pipeline", () => {
  const pipeline = parsePipelineYaml(FULL, FILE);
  const [prepare, train, evaluate] = pipeline.steps;

  it("names the pipeline and its format", () => {
    expect(pipeline).toMatchObject({ name: "digits", format: "pipeline-yaml", file: FILE });
  });

  it("reads every step into the model, with defaults and absolute code paths", () => {
    expect(prepare).toEqual({
      name: "prepare",
      after: [],
      inputs: [],
      outputs: ["dataset", "labels"],
      limits: { memoryBytes: 512 * 1024 ** 2, nanoCpus: 1_000_000_000, gpu: 0 },
      retries: 0,
      cache: true,
      code: { kind: "notebook", notebookFile: "/work/digits/prepare.ipynb" },
      location: { file: FILE, line: 12, field: "steps[0]" },
    });
    expect(train).toEqual({
      name: "train",
      after: ["prepare"],
      inputs: [{ name: "dataset", from: "prepare", output: "dataset" }],
      outputs: ["model"],
      limits: { memoryBytes: 8 * 1024 ** 3, nanoCpus: 500_000_000, gpu: 1 },
      retries: 2,
      cache: false,
      code: { kind: "notebook", notebookFile: "/work/digits/src/train.py" },
      location: { file: FILE, line: 16, field: "steps[1]" },
    });
  });

  it("adds the producers of a step's inputs to the steps it runs after", () => {
    expect(evaluate).toMatchObject({
      after: ["train", "prepare"],
      inputs: [
        { name: "model", from: "train", output: "model" },
        { name: "truth", from: "prepare", output: "labels" },
      ],
      limits: {},
      code: { kind: "notebook", notebookFile: "/work/digits/eval/evaluate.ipynb" },
      location: { file: FILE, line: 28, field: "steps[2]" },
    });
  });

  it("writes each parameter's default as Python source, and keeps it as a value", () => {
    expect(pipeline.parameters).toEqual([
      {
        name: "epochs",
        defaultSource: "3",
        defaultValue: 3,
        location: { file: FILE, line: 3, field: "parameters.epochs" },
      },
      {
        name: "rate",
        defaultSource: "0.5",
        defaultValue: 0.5,
        location: { file: FILE, line: 4, field: "parameters.rate" },
      },
      {
        name: "scale",
        defaultSource: "1.0",
        defaultValue: 1,
        location: { file: FILE, line: 5, field: "parameters.scale" },
      },
      {
        name: "optimizer",
        defaultSource: "'adam'",
        defaultValue: "adam",
        location: { file: FILE, line: 6, field: "parameters.optimizer" },
      },
      {
        name: "quoted",
        defaultSource: "'it\\'s a \\\\ path'",
        defaultValue: "it's a \\ path",
        location: { file: FILE, line: 7, field: "parameters.quoted" },
      },
      {
        name: "shuffle",
        defaultSource: "True",
        defaultValue: true,
        location: { file: FILE, line: 8, field: "parameters.shuffle" },
      },
      {
        name: "verbose",
        defaultSource: "False",
        defaultValue: false,
        location: { file: FILE, line: 9, field: "parameters.verbose" },
      },
      {
        name: "seed",
        defaultSource: "None",
        defaultValue: null,
        location: { file: FILE, line: 10, field: "parameters.seed" },
      },
    ]);
  });
});

describe("parsePipelineYaml: defaults", () => {
  it("names the pipeline after its folder and has no parameters", () => {
    const pipeline = parsePipelineYaml(
      "steps:\n  - name: only\n    script: run.py\n",
      "/home/ana/My Flow/pipeline.yaml",
    );
    expect(pipeline.name).toBe("My Flow");
    expect(pipeline.parameters).toEqual([]);
    expect(pipeline.steps[0]?.code).toEqual({ kind: "notebook", notebookFile: "/home/ana/My Flow/run.py" });
  });

  it("keeps control characters of a text default on one line of Python", () => {
    const pipeline = parsePipelineYaml(
      'parameters:\n  banner: "a\\tb\\nc\\u0001"\nsteps:\n  - name: only\n    script: run.py\n',
      FILE,
    );
    expect(pipeline.parameters[0]?.defaultSource).toBe("'a\\tb\\nc\\x01'");
  });
});

describe("parsePipelineYaml: problems of the file, each with its field, line and fix", () => {
  it("reports invalid YAML once, with its line", () => {
    const error = parseError("steps:\n  - name: prepare\n    notebook: [prepare.ipynb\n");
    expect(error.code).toBe("PipelineInvalid");
    expect(error.message).toMatch(/^The pipeline is not valid YAML: .* at line 4/);
    expect(error.location).toEqual({ file: FILE, line: 4 });
    expect(error.fix).toMatch(/^Fix the YAML near this spot/);
  });

  it("refuses an unknown field, naming it and the likely one", () => {
    const problem = onlyProblem(
      parseError("steps:\n  - name: prepare\n    notebook: prepare.ipynb\n    output: [dataset]\n"),
    );
    expect(problem.message).toBe('Unknown field "output".');
    expect(problem.location).toEqual({ file: FILE, field: "steps[0].output", line: 4 });
    expect(problem.fix).toBe('Did you mean "outputs"?');
  });

  it("asks for the steps when there are none", () => {
    const problem = onlyProblem(parseError("name: digits\n"));
    expect(problem.message).toBe('The pipeline has no "steps".');
    expect(problem.location).toEqual({ file: FILE, field: "steps", line: 1 });
    expect(problem.fix).toMatch(/^Add "steps:"/);
  });

  it("asks for a step's name", () => {
    const problem = onlyProblem(parseError("steps:\n  - notebook: prepare.ipynb\n"));
    expect(problem.message).toBe('Missing required field "name".');
    expect(problem.location).toEqual({ file: FILE, field: "steps[0].name", line: 2 });
    expect(problem.fix).toBe('Add "name: prepare".');
  });

  it("refuses a step with both a notebook and a script", () => {
    const problem = onlyProblem(
      parseError("steps:\n  - name: prepare\n    notebook: prepare.ipynb\n    script: prepare.py\n"),
    );
    expect(problem.message).toBe("The step prepare names both a notebook and a script.");
    expect(problem.location).toEqual({ file: FILE, field: "steps[0].script", line: 4 });
    expect(problem.fix).toMatch(/keep either notebook or script/);
  });

  it("refuses a step with neither a notebook nor a script", () => {
    const problem = onlyProblem(parseError("steps:\n  - name: prepare\n    outputs: [dataset]\n"));
    expect(problem.message).toBe("The step prepare names no notebook or script to run.");
    expect(problem.location).toEqual({ file: FILE, field: "steps[0]", line: 2 });
    expect(problem.fix).toMatch(/^Add "notebook: <file>.ipynb" or "script: <file>.py"/);
  });

  it("reports every step's problem at once, in the order of the file", () => {
    expect(
      problems(parseError("steps:\n  - name: a\n  - name: b\n    script: b.txt\n  - name: c\n")),
    ).toEqual([
      "2 steps[0]: The step a names no notebook or script to run.",
      '4 steps[1].script: "b.txt" is not valid: a script is a .py file; write an .ipynb file as notebook: instead.',
      "5 steps[2]: The step c names no notebook or script to run.",
    ]);
  });

  it("refuses a path that leaves the folder of pipeline.yaml", () => {
    const problem = onlyProblem(
      parseError("steps:\n  - name: prepare\n    notebook: nested/../../other/prepare.ipynb\n"),
    );
    expect(problem.message).toBe(
      '"nested/../../other/prepare.ipynb" is outside the folder of pipeline.yaml (/work/digits).',
    );
    expect(problem.location).toEqual({ file: FILE, field: "steps[0].notebook", line: 3 });
    expect(problem.fix).toMatch(/^Move the file into that folder/);
  });

  it("refuses an absolute path", () => {
    const problem = onlyProblem(parseError("steps:\n  - name: prepare\n    script: /tmp/prepare.py\n"));
    expect(problem.message).toBe('"/tmp/prepare.py" is an absolute path.');
    expect(problem.location).toEqual({ file: FILE, field: "steps[0].script", line: 3 });
    expect(problem.fix).toBe(
      'Write it relative to the folder of pipeline.yaml (/work/digits), such as "prepare.py".',
    );
  });

  it("suggests the spelling of a quantity it cannot read", () => {
    const problem = onlyProblem(
      parseError("steps:\n  - name: prepare\n    script: a.py\n    resources:\n      memory: 8GB\n"),
    );
    expect(problem.message).toBe('"8GB" is not a valid Kubernetes quantity.');
    expect(problem.location).toEqual({ file: FILE, field: "steps[0].resources.memory", line: 5 });
    expect(problem.fix).toMatch(/^Write "8Gi" for 8 GiB/);
  });

  it("holds a step's limits to the profile's rules", () => {
    expect(
      problems(parseError("steps:\n  - name: a\n    script: a.py\n    resources: {memory: 512, cpu: 0}\n")),
    ).toEqual([
      '4 steps[0].resources.memory: "512" is only 512 B; Docker refuses memory limits under 6 MiB.',
      '4 steps[0].resources.cpu: cpu must be more than 0 (found "0").',
    ]);
  });

  it("refuses an input that does not say <step>.<output>", () => {
    const problem = onlyProblem(
      parseError("steps:\n  - name: train\n    script: train.py\n    inputs:\n      dataset: prepare\n"),
    );
    expect(problem.message).toBe('"prepare" does not say which step\'s output this input is.');
    expect(problem.location).toEqual({ file: FILE, field: "steps[0].inputs.dataset", line: 5 });
    expect(problem.fix).toMatch(/<step>\.<output>, such as "prepare\.dataset"/);
  });

  it("refuses a parameter that is not a Python name, or whose default is not a scalar", () => {
    expect(
      problems(
        parseError(
          "parameters:\n  learning-rate: 1\n  sizes: [1, 2]\nsteps:\n  - name: a\n    script: a.py\n",
        ),
      ),
    ).toEqual([
      "2 parameters.learning-rate: Invalid name \"learning-rate\". a parameter is a Python variable: letters, digits and '_', not starting with a digit.",
      "3 parameters.sizes: Expected text or a number or true or false or nothing, found a list.",
    ]);
  });
});

describe("parsePipelineYaml: steps that do not fit together", () => {
  const step = (name: string, more = ""): string => `  - name: ${name}\n    script: ${name}.py\n${more}`;

  it("refuses an input from a step that does not exist, once", () => {
    const problem = onlyProblem(
      parseError(`steps:\n${step("train", "    inputs: {data: prepare.dataset}\n")}`),
    );
    expect(problem.message).toBe(
      "The step train takes data from prepare, which is not a step of the pipeline.",
    );
    expect(problem.location).toEqual({ file: FILE, field: "steps[0]", line: 2 });
    expect(problem.fix).toBe("Name the step that produces data.");
  });

  it("refuses an input its producer does not declare", () => {
    const problem = onlyProblem(
      parseError(
        `steps:\n${step("prepare", "    outputs: [labels]\n")}${step("train", "    inputs: {data: prepare.dataset}\n")}`,
      ),
    );
    expect(problem.message).toBe("The step train takes dataset from prepare, which produces no such output.");
    expect(problem.location).toEqual({ file: FILE, field: "steps[1]", line: 5 });
    expect(problem.fix).toBe("prepare produces: labels.");
  });

  it("refuses a step after one that does not exist", () => {
    const problem = onlyProblem(
      parseError(`steps:\n${step("prepare")}${step("train", "    after: [prepar]\n")}`),
    );
    expect(problem.message).toBe("The step train runs after prepar, which is not a step of the pipeline.");
    expect(problem.location).toEqual({ file: FILE, field: "steps[1]", line: 4 });
    expect(problem.fix).toBe("Name one of: prepare.");
  });

  it("refuses a cycle, listing it", () => {
    const problem = onlyProblem(
      parseError(
        `steps:\n${step("a", "    after: [c]\n")}${step("b", "    outputs: [x]\n    after: [a]\n")}${step("c", "    inputs: {x: b.x}\n")}`,
      ),
    );
    expect(problem.message).toBe("The steps form a cycle: a → b → c → a.");
    expect(problem.location).toEqual({ file: FILE, field: "steps[0]", line: 2 });
  });

  it("refuses two steps of the same name", () => {
    const problem = onlyProblem(parseError(`steps:\n${step("train")}${step("train")}`));
    expect(problem.message).toBe("Two steps are named train.");
    expect(problem.location).toEqual({ file: FILE, field: "steps[1]", line: 4 });
    expect(problem.fix).toBe("Give each step a name of its own.");
  });
});

describe("the pipeline's JSON schema", () => {
  it("is a valid schema under ajv's meta-schema (the runtime skips this check to start faster)", () => {
    const ajv = new Ajv({ ...PIPELINE_SCHEMA_OPTIONS, validateSchema: true });
    ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(ajv.errors ?? []).toEqual([]);
    expect(() => ajv.compile(schema)).not.toThrow();
  });
});
