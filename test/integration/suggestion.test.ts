// Parity's suggestion process against the real libraries (hyperopt, optuna, scikit-optimize from
// PyPI, pinned): its environment is built once into the cache folder and reused by later runs.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelledError, ParityError } from "../../src/core/errors";
import {
  ALGORITHMS,
  type AlgorithmName,
  type NameValue,
  type ObjectiveType,
  type SearchParameter,
  type SuggestionRequest,
} from "../../src/core/tuning/types";
import {
  ensureSuggestionEnv,
  SuggestionProcess,
  type SuggestionEnv,
} from "../../src/targets/suggestion/process";

const cacheDir = process.env.PARITY_CACHE_DIR ?? "/var/cache/parity";

type Trial = SuggestionRequest["trials"][number];

const double = (name: string, min: string, max: string, step?: string): SearchParameter => ({
  name,
  parameterType: "double",
  feasibleSpace: { min, max, ...(step && { step }) },
});
const int = (name: string, min: string, max: string, step?: string): SearchParameter => ({
  name,
  parameterType: "int",
  feasibleSpace: { min, max, ...(step && { step }) },
});
const categorical = (name: string, list: string[]): SearchParameter => ({
  name,
  parameterType: "categorical",
  feasibleSpace: { list },
});

/** Every kind of parameter, each with a step where it can have one (grid needs them). */
const SPACE = [
  double("lr", "0.01", "0.05", "0.01"),
  int("batch", "16", "128", "16"),
  int("layers", "1", "4"),
  categorical("optimizer", ["sgd", "adam", "rmsprop"]),
];
/** Settings that make each model start after three trials, so a short test reaches it. */
const EARLY_MODEL: Partial<Record<AlgorithmName, NameValue[]>> = {
  "multivariate-tpe": [{ name: "n_startup_trials", value: "3" }],
  bayesianoptimization: [{ name: "n_initial_points", value: "3" }],
};

let env: SuggestionEnv;
let suggestions: SuggestionProcess;

beforeAll(async () => {
  // The first run builds the environment (about 20 s): its progress shows in the test's output.
  env = await ensureSuggestionEnv({ cacheDir, print: (line) => console.log(line) });
  suggestions = await SuggestionProcess.start(env);
});
afterAll(() => suggestions?.dispose());

function request(
  algorithmName: AlgorithmName,
  trials: Trial[],
  options: {
    count?: number;
    settings?: NameValue[];
    parameters?: SearchParameter[];
    type?: ObjectiveType;
  } = {},
): SuggestionRequest {
  return {
    algorithm: { algorithmName, algorithmSettings: options.settings ?? EARLY_MODEL[algorithmName] ?? [] },
    objective: { type: options.type ?? "minimize", objectiveMetricName: "loss" },
    parameters: options.parameters ?? SPACE,
    trials,
    count: options.count ?? 3,
  };
}

async function until(done: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !done(); tries++)
    await new Promise((resolve) => setTimeout(resolve, 50));
}

function valueOf(assignment: NameValue[], name: string): string {
  return assignment.find((each) => each.name === name)!.value;
}

/** Asks `rounds` times for `count` trials, each ended at once with `objective`'s value (or failed). */
async function experiment(
  algorithmName: AlgorithmName,
  rounds: number,
  objective: (assignment: NameValue[]) => number | undefined,
  options: Parameters<typeof request>[2] = {},
): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (let round = 0; round < rounds; round++) {
    const reply = await suggestions.suggest(request(algorithmName, trials, options));
    for (const parameters of reply.assignments) {
      const value = objective(parameters);
      trials.push({
        name: `t-${trials.length + 1}`,
        parameters,
        ...(value === undefined ? { status: "failed" } : { status: "succeeded", objective: value }),
      });
    }
  }
  return trials;
}

function expectFeasible(assignment: NameValue[], { steps = true } = {}): void {
  expect(assignment.map((each) => each.name)).toEqual(SPACE.map((parameter) => parameter.name));
  for (const parameter of SPACE) {
    const text = valueOf(assignment, parameter.name);
    const { min, max, step, list } = parameter.feasibleSpace;
    if (list) {
      expect(list).toContain(text);
      continue;
    }
    if (parameter.parameterType === "int") expect(text).toMatch(/^-?\d+$/);
    const value = Number(text);
    expect(value).toBeGreaterThanOrEqual(Number(min));
    expect(value).toBeLessThanOrEqual(Number(max));
    const stride = Number(step ?? (parameter.parameterType === "int" ? 1 : 0));
    if (steps && stride) {
      const k = (value - Number(min)) / stride;
      expect(Math.abs(k - Math.round(k)), `${parameter.name}=${text} on its step ${stride}`).toBeLessThan(
        1e-6,
      );
    }
  }
}

/** A smooth function of every parameter: a model has something to learn. */
function bowl(assignment: NameValue[]): number {
  const lr = Number(valueOf(assignment, "lr"));
  const layers = Number(valueOf(assignment, "layers"));
  return (lr - 0.03) ** 2 * 1e3 + (layers - 2) ** 2 + (valueOf(assignment, "optimizer") === "adam" ? 0 : 1);
}

describe("the suggestion process's environment", () => {
  it("is reused on a second ensure: nothing built, no pip, fast", async () => {
    const lines: string[] = [];
    const started = Date.now();
    const again = await ensureSuggestionEnv({ cacheDir, print: (line) => lines.push(line) });
    expect(again).toEqual(env);
    // One interpreter start (its version); a build takes 20 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(lines).toEqual([]);
  });

  it("waits for a process that holds the build lock, then uses what it built", async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), "parity-suggestion-"));
    const holder = spawn("sleep", ["60"]);
    try {
      const key = path.basename(path.dirname(env.script));
      const root = path.join(scratch, "suggestion");
      mkdirSync(root);
      writeFileSync(path.join(root, `${key}.lock`), JSON.stringify({ pid: holder.pid, host: os.hostname() }));
      const lines: string[] = [];
      const waiting = ensureSuggestionEnv({ cacheDir: scratch, print: (line) => lines.push(line) });
      await until(() => lines.length > 0);
      expect(lines).toEqual([
        `Waiting for process ${holder.pid}, which is building the suggestion process's environment.`,
      ]);
      // The holder "finishes": its environment is in place (the real one), then its lock goes.
      symlinkSync(path.dirname(env.script), path.join(root, key));
      rmSync(path.join(root, `${key}.lock`));
      const found = await waiting;
      expect(found.script).toBe(path.join(root, key, "suggest.py"));
      expect(lines).toHaveLength(1);
    } finally {
      holder.kill();
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("says which package to install when the interpreter is missing", async () => {
    const error = await ensureSuggestionEnv({ cacheDir, python: "python3.99-nowhere" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ParityError);
    expect((error as ParityError).code).toBe("SuggestionPythonMissing");
    expect((error as ParityError).fix).toMatch(/python3-venv/);
  });
});

// bayesianoptimization refits a Gaussian process on every call: its tests take seconds, more on a busy machine.
describe("suggestions", { timeout: 120_000 }, () => {
  it.each(ALGORITHMS)(
    "%s: assignments within the feasible space, before and after its model starts",
    async (name) => {
      const trials = await experiment(name, 5, (assignment) =>
        valueOf(assignment, "layers") === "4" ? undefined : bowl(assignment),
      );
      // Grid has 5 x 8 x 4 x 3 = 480 points: it never runs out here.
      expect(trials).toHaveLength(15);
      // scikit-optimize ignores a double's step, as Katib's skopt service does (and says so).
      for (const trial of trials)
        expectFeasible(trial.parameters, { steps: name !== "bayesianoptimization" });
    },
  );

  it("says where it differs from Katib: cmaes and sobol run by optuna, not goptuna", async () => {
    for (const name of ["cmaes", "sobol"] as const) {
      const reply = await suggestions.suggest(request(name, []));
      expect(reply.notes).toEqual([expect.stringMatching(/goptuna.*differs from Katib's/)]);
    }
    const skopt = await suggestions.suggest(request("bayesianoptimization", []));
    expect(skopt.notes).toEqual([expect.stringMatching(/ignores the step of lr/)]);
    expect((await suggestions.suggest(request("tpe", []))).notes).toBeUndefined();
  });

  it.each(ALGORITHMS)(
    "%s: the same record and random_state give the same suggestions, in a new process too",
    async (name) => {
      const settings = [...(EARLY_MODEL[name] ?? []), { name: "random_state", value: "7" }];
      const trials = await experiment(name, 3, bowl, { settings });
      const asked = request(name, trials, { settings });
      const again = await experiment(name, 3, bowl, { settings });
      expect(again.map((trial) => trial.parameters)).toEqual(trials.map((trial) => trial.parameters));
      const first = await suggestions.suggest(asked);
      expect(await suggestions.suggest(asked)).toEqual(first);
      // As after Ctrl-C: another process, given the record, carries on the same way.
      const resumed = await SuggestionProcess.start(env);
      try {
        expect(await resumed.suggest(asked)).toEqual(first);
      } finally {
        resumed.dispose();
      }
    },
  );

  it("another random_state gives other suggestions", async () => {
    const seeded = (value: string) => request("random", [], { settings: [{ name: "random_state", value }] });
    expect((await suggestions.suggest(seeded("1"))).assignments).not.toEqual(
      (await suggestions.suggest(seeded("2"))).assignments,
    );
  });
});

describe("told objectives steer the search", { timeout: 120_000 }, () => {
  const x = [double("x", "0", "1")];
  const at = (assignment: NameValue[]): number => Number(valueOf(assignment, "x"));
  const median = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  /** The last ten x suggested, one trial at a time, for each random_state: fixed seeds, no flakes. */
  async function lastTen(
    name: AlgorithmName,
    objective: (x: number) => number,
    { type = "minimize" as ObjectiveType, seeds = [1, 2, 3], trials = 20, settings = [] as NameValue[] } = {},
  ): Promise<number[]> {
    const found: number[] = [];
    for (const seed of seeds) {
      const told = await experiment(name, trials, (assignment) => objective(at(assignment)), {
        parameters: x,
        settings: [...settings, { name: "random_state", value: String(seed) }],
        count: 1,
        type,
      });
      found.push(...told.slice(-10).map((trial) => at(trial.parameters)));
    }
    return found;
  }
  // bayesianoptimization refits a Gaussian process on every call (a quarter second here): shorter
  // runs, its model from the fourth trial, keep the test short.
  const runs = (name: AlgorithmName) =>
    name === "bayesianoptimization" ? { seeds: [1, 2], trials: 15, settings: EARLY_MODEL[name] } : {};

  it.each(["tpe", "multivariate-tpe", "bayesianoptimization"] as const)(
    "%s: minimising x drives suggestions down, maximising it drives them up",
    async (name) => {
      const identity = (value: number) => value;
      expect(mean(await lastTen(name, identity, runs(name)))).toBeLessThan(0.4);
      // A maximised objective negated the wrong way round would drive x down too.
      expect(mean(await lastTen(name, identity, { ...runs(name), type: "maximize" }))).toBeGreaterThan(0.6);
    },
  );

  // Uniform sampling's distance from 0.7 has a median of 0.25; hyperopt's TPE explores a lot (as
  // its own fmin does), so the bound leaves it room, and random search must not pass it.
  it.each(["tpe", "multivariate-tpe", "bayesianoptimization"] as const)(
    "%s: suggestions concentrate near the minimum of (x - 0.7)²",
    async (name) => {
      const bowl = (value: number) => (value - 0.7) ** 2;
      const distance = async (algorithm: AlgorithmName) =>
        median(
          (await lastTen(algorithm, bowl, { seeds: [1, 2, 3, 4, 5], trials: 30, ...runs(algorithm) })).map(
            (value) => Math.abs(value - 0.7),
          ),
        );
      expect(await distance("random")).toBeGreaterThan(0.18);
      expect(await distance(name)).toBeLessThan(0.18);
    },
  );
});

describe("trials that ended without their objective", { timeout: 120_000 }, () => {
  const stopped = (trials: Trial[], status: Trial["status"]): Trial[] =>
    trials.map((trial, index) =>
      index === 1 ? { name: trial.name, parameters: trial.parameters, status } : trial,
    );

  // Katib's services are told only succeeded (or early-stopped) trials with their objective: a
  // failed trial weighs as much as one still running (optuna's study keeps both running).
  it.each(["random", "tpe", "bayesianoptimization", "multivariate-tpe", "grid"] as const)(
    "%s: a failed trial is not told, as Katib's service does",
    async (name) => {
      const settings = [...(EARLY_MODEL[name] ?? []), { name: "random_state", value: "5" }];
      const trials = await experiment(name, 3, bowl, { settings });
      const failed = await suggestions.suggest(request(name, stopped(trials, "failed"), { settings }));
      const running = await suggestions.suggest(request(name, stopped(trials, "running"), { settings }));
      expect(failed).toEqual(running);
      const unmeasured = stopped(trials, "succeeded");
      expect(await suggestions.suggest(request(name, unmeasured, { settings }))).toEqual(running);
      for (const assignment of failed.assignments)
        expectFeasible(assignment, { steps: name !== "bayesianoptimization" });
    },
  );

  it.each(["tpe", "bayesianoptimization", "cmaes", "sobol"] as const)(
    "%s: every trial failed, still suggests",
    async (name) => {
      const trials = await experiment(name, 3, () => undefined);
      expect(trials).toHaveLength(9);
      expect(trials.every((trial) => trial.status === "failed")).toBe(true);
    },
  );
});

describe("grid", () => {
  const parameters = [double("lr", "0.01", "0.05", "0.01"), categorical("optimizer", ["sgd", "adam"])];

  it("enumerates the whole grid once, failed points included, then returns fewer and then none", async () => {
    const counts: number[] = [];
    const trials: Trial[] = [];
    for (let round = 0; round < 4; round++) {
      const reply = await suggestions.suggest(request("grid", trials, { parameters, count: 4 }));
      counts.push(reply.assignments.length);
      for (const assignment of reply.assignments) {
        const failed = valueOf(assignment, "optimizer") === "sgd" && valueOf(assignment, "lr") === "0.02";
        trials.push({
          name: `g-${trials.length + 1}`,
          parameters: assignment,
          ...(failed ? { status: "failed" } : { status: "succeeded", objective: trials.length }),
        });
      }
    }
    expect(counts).toEqual([4, 4, 2, 0]);
    const points = trials.map((trial) => trial.parameters.map((each) => each.value).join(" "));
    expect(new Set(points).size).toBe(10);
    expect(points.sort()).toEqual(
      ["0.01", "0.02", "0.03", "0.04", "0.05"].flatMap((lr) => [`${lr} adam`, `${lr} sgd`]).sort(),
    );
  });
});

describe("validate: Katib's ValidateAlgorithmSettings", () => {
  const problems = (name: AlgorithmName, settings: NameValue[], parameters = SPACE, maxTrialCount?: number) =>
    suggestions.validate({ algorithmName: name, algorithmSettings: settings }, parameters, maxTrialCount);

  it("accepts each algorithm's own settings", async () => {
    expect(
      await problems("tpe", [
        { name: "gamma", value: "0.3" },
        { name: "n_EI_candidates", value: "12" },
      ]),
    ).toEqual([]);
    expect(await problems("bayesianoptimization", [{ name: "base_estimator", value: "RF" }])).toEqual([]);
    expect(
      await problems("cmaes", [
        { name: "sigma", value: "0.2" },
        { name: "restart_strategy", value: "ipop" },
      ]),
    ).toEqual([]);
    expect(await problems("grid", [], SPACE, 480)).toEqual([]);
  });

  it("names the setting at fault and says how to fix it", async () => {
    expect(await problems("tpe", [{ name: "n_startup_trials", value: "5" }])).toEqual([
      {
        message: "tpe has no setting n_startup_trials.",
        fix: "Remove it; tpe's settings are: gamma, prior_weight, n_EI_candidates, random_state.",
        setting: "n_startup_trials",
      },
    ]);
    const [gamma] = await problems("tpe", [{ name: "gamma", value: "1.5" }]);
    expect(gamma).toMatchObject({ setting: "gamma", message: expect.stringMatching(/between 0 and 1/) });
    const [seed] = await problems("random", [{ name: "random_state", value: "-1" }]);
    expect(seed).toMatchObject({ setting: "random_state", fix: "Give random_state a value >= 0." });
    const [estimator] = await problems("bayesianoptimization", [{ name: "base_estimator", value: "XGB" }]);
    expect(estimator).toMatchObject({ setting: "base_estimator", fix: "Use one of: GP, RF, ET, GBRT." });
    const [word] = await problems("multivariate-tpe", [{ name: "n_ei_candidates", value: "many" }]);
    expect(word).toMatchObject({
      setting: "n_ei_candidates",
      message: 'n_ei_candidates must be an integer, not "many".',
    });
  });

  it("refuses search spaces the algorithm cannot search", async () => {
    const [noStep] = await problems("grid", [], [double("lr", "0.01", "0.1"), ...SPACE.slice(1)]);
    expect(noStep).toMatchObject({ parameter: "lr", fix: "Add feasibleSpace.step to lr." });
    const [fine] = await problems("grid", [], [double("lr", "0", "1", "1e-9")]);
    expect(fine).toMatchObject({ message: expect.stringMatching(/^The grid has \d{10} points\.$/) });
    const [tooMany] = await problems("grid", [], SPACE, 500);
    expect(tooMany?.message).toBe("maxTrialCount 500 is more than the grid's 480 combinations.");
    const [flat] = await problems(
      "cmaes",
      [],
      [double("lr", "0.01", "0.1"), categorical("optimizer", ["sgd"])],
    );
    expect(flat?.message).toBe("cmaes needs two or more int or double parameters.");
    const normal: SearchParameter = {
      ...double("lr", "0.01", "0.1"),
      feasibleSpace: { min: "0.01", max: "0.1", distribution: "normal" },
    };
    expect(await problems("tpe", [], [normal])).toEqual([]);
    const [skopt] = await problems("bayesianoptimization", [], [normal]);
    expect(skopt).toMatchObject({ parameter: "lr" });
  });

  it("a suggest with a bad setting is refused with a ParityError that names the setting", async () => {
    const error = await suggestions
      .suggest(request("tpe", [], { settings: [{ name: "gamma", value: "0" }] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParityError);
    expect(error).toMatchObject({
      code: "SuggestionFailed",
      location: { field: "algorithm.algorithmSettings.gamma" },
    });
    // The process goes on answering.
    expect((await suggestions.suggest(request("random", []))).assignments).toHaveLength(3);
  });
});

describe("the process", () => {
  const alive = (pid: number): boolean => {
    try {
      return process.kill(pid, 0);
    } catch {
      return false;
    }
  };
  const gone = async (pid: number): Promise<boolean> => {
    await until(() => !alive(pid));
    return !alive(pid);
  };

  it("is killed on dispose, and a request still waiting is cancelled", async () => {
    const own = await SuggestionProcess.start(env);
    const { pid } = own;
    expect(process.kill(pid, 0)).toBe(true);
    const waiting = own.suggest(request("bayesianoptimization", [])).catch((e: unknown) => e);
    own.dispose();
    expect(await waiting).toBeInstanceOf(CancelledError);
    expect(await gone(pid)).toBe(true);
    await expect(own.suggest(request("random", []))).rejects.toBeInstanceOf(CancelledError);
  });

  it("is killed when its signal aborts", async () => {
    const controller = new AbortController();
    const own = await SuggestionProcess.start(env, controller.signal);
    await own.suggest(request("random", []));
    controller.abort();
    expect(await gone(own.pid)).toBe(true);
  });

  it("a crash is a ParityError with what the process said last", async () => {
    const own = await SuggestionProcess.start(env);
    await own.suggest(request("random", []));
    process.kill(own.pid, "SIGKILL");
    const error = await own.suggest(request("random", [])).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "SuggestionProcessCrashed",
      message: expect.stringMatching(/SIGKILL/),
    });
    own.dispose();
  });

  it("a reply that takes too long stops the process", async () => {
    const own = await SuggestionProcess.start(env, undefined, { replyTimeoutMs: 1 });
    const error = await own.suggest(request("bayesianoptimization", [])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SuggestionTimeout" });
    expect(await gone(own.pid)).toBe(true);
  });

  it("refuses a record whose values are not in the search space", async () => {
    const trial: Trial = {
      name: "t-1",
      parameters: [{ name: "x", value: "fast" }],
      status: "succeeded",
      objective: 1,
    };
    const error = await suggestions
      .suggest(request("tpe", [trial], { parameters: [double("x", "0", "1")] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SuggestionFailed", location: { field: "parameters.x" } });
  });

  it("answers requests one at a time, in order", async () => {
    const asked = ALGORITHMS.map((name) =>
      suggestions.suggest(request(name, [], { settings: [{ name: "random_state", value: "1" }], count: 1 })),
    );
    const replies = await Promise.all(asked);
    expect(replies.map((reply) => reply.assignments)).toHaveLength(ALGORITHMS.length);
    for (const [index, name] of ALGORITHMS.entries()) {
      const alone = await suggestions.suggest(
        request(name, [], { settings: [{ name: "random_state", value: "1" }], count: 1 }),
      );
      expect(replies[index]).toEqual(alone);
    }
  });
});
