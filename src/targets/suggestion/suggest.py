"""Parity's local suggestion process: Katib v0.19's search algorithms, run by the libraries its
suggestion services use (hyperopt, optuna, scikit-optimize).

One JSON request per line on stdin, one JSON reply per line on stdout, until EOF:
  {"id", "kind": "suggest", "algorithm", "objective", "parameters", "trials", "count"}
      -> {"id", "assignments": [[{"name", "value"}]], "notes": [...]} or {"id", "error": {...}}
  {"id", "kind": "validate", "algorithm", "parameters", "maxTrialCount"?}
      -> {"id", "valid": true, "notes"} or {"id", "valid": false, "errors": [...], "notes"}
An error is {"message", "fix", "setting"?, "parameter"?}.

Like Katib's services, each request carries the experiment and every trial so far, and the
optimizer is rebuilt from them: the same record always gives the same state, so an experiment can
be resumed by replaying it. Nothing but replies reaches stdout; libraries write to stderr.
"""

import json
import math
import os
import sys
import traceback
import warnings

HYPEROPT = ("random", "tpe")
OPTUNA = ("grid", "multivariate-tpe")
# Katib runs these with its Go service (goptuna); optuna's samplers stand in for it here.
GOPTUNA = ("cmaes", "sobol")
SKOPT = ("bayesianoptimization",)
# GridSampler lists every combination up front.
MAX_GRID = 1_000_000


class Problem(Exception):
    def __init__(self, message, fix, setting=None, parameter=None):
        super().__init__(message)
        self.reply = {"message": message, "fix": fix}
        if setting is not None:
            self.reply["setting"] = setting
        if parameter is not None:
            self.reply["parameter"] = parameter


# --- Settings: the names and values each Katib service's ValidateAlgorithmSettings accepts.


def integer(low, inclusive=True):
    def parse(name, text):
        try:
            value = int(text)
        except ValueError:
            raise Problem(f'{name} must be an integer, not "{text}".', f"Give {name} a whole number.", name)
        if value < low or (value == low and not inclusive):
            bound = f">= {low}" if inclusive else f"> {low}"
            raise Problem(f"{name} must be {bound}, not {value}.", f"Give {name} a value {bound}.", name)
        return value

    return parse


def real(low, high=None):
    def parse(name, text):
        try:
            value = float(text)
        except ValueError:
            raise Problem(f'{name} must be a number, not "{text}".', f"Give {name} a number.", name)
        if not (value > low and (high is None or value < high)) or math.isnan(value):
            span = f"between {low} and {high} (exclusive)" if high is not None else f"> {low}"
            raise Problem(f"{name} must be {span}, not {text}.", f"Give {name} a value {span}.", name)
        return value

    return parse


def one_of(*choices):
    def parse(name, text):
        if text not in choices:
            listed = ", ".join(choices)
            raise Problem(f'{name} "{text}" is not supported.', f"Use one of: {listed}.", name)
        return text

    return parse


SETTINGS = {
    "random": {"random_state": integer(0)},
    "tpe": {
        "gamma": real(0, 1),
        "prior_weight": real(0),
        "n_EI_candidates": integer(0, inclusive=False),
        "random_state": integer(0),
    },
    "grid": {"random_state": integer(0)},
    "multivariate-tpe": {
        "n_startup_trials": integer(0),
        "n_ei_candidates": integer(0),
        "random_state": integer(0),
    },
    "bayesianoptimization": {
        "base_estimator": one_of("GP", "RF", "ET", "GBRT"),
        "n_initial_points": integer(0),
        "acq_func": one_of("gp_hedge", "LCB", "EI", "PI", "EIps", "PIps"),
        "acq_optimizer": one_of("auto", "sampling", "lbfgs"),
        "random_state": integer(0),
    },
    "cmaes": {
        "random_state": integer(0),
        "sigma": real(0),
        "restart_strategy": one_of("ipop", "bipop", "none"),
    },
    # goptuna's Sobol sequence takes no seed; Parity's seeds the first trial and categorical values.
    "sobol": {"random_state": integer(0)},
}


def parse_settings(algorithm, notes):
    """The settings as values; raises the first Problem (Katib reports one at a time too)."""
    name = algorithm["algorithmName"]
    schema = SETTINGS[name]
    settings = {}
    for setting in algorithm.get("algorithmSettings", []):
        key, text = setting["name"], setting["value"]
        if key in schema:
            settings[key] = schema[key](key, text)
        elif name in GOPTUNA:
            notes.append(f"Katib's goptuna service ignores the setting {key} of {name}, and so does Parity.")
        else:
            known = ", ".join(schema) or "none"
            raise Problem(f"{name} has no setting {key}.", f"Remove it; {name}'s settings are: {known}.", key)
    if settings.get("restart_strategy") in ("ipop", "bipop"):
        notes.append("optuna 4.5's CmaEsSampler no longer restarts: restart_strategy has no effect locally.")
    return settings


# --- The search space, as Katib's internal/search_space.py reads it.


class Param:
    def __init__(self, spec):
        space = spec.get("feasibleSpace", {})
        self.name = spec["name"]
        self.type = spec["parameterType"]
        self.distribution = space.get("distribution")
        self.list = [str(value) for value in space.get("list", [])]
        number = int if self.type == "int" else float
        try:
            self.min = number(space["min"]) if self.type in ("int", "double") else None
            self.max = number(space["max"]) if self.type in ("int", "double") else None
            # Katib gives an int parameter a step of 1 when it has none.
            step = space.get("step") or ("1" if self.type == "int" else None)
            self.step = number(step) if step else None
        except (KeyError, ValueError) as error:
            raise Problem(
                f"Parameter {self.name}: its feasible space cannot be read ({error}).",
                f"Give {self.name} a min and max (and step) that are {self.type} numbers.",
                parameter=self.name,
            )
        if self.type in ("categorical", "discrete") and not self.list:
            raise Problem(
                f"Parameter {self.name} has an empty list.", "List its values.", parameter=self.name
            )

    def number(self, text):
        return int(text) if self.type == "int" else float(text) if self.type == "double" else text


def check_space(name, params, max_trial_count, notes):
    names = [param.name for param in params]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        raise Problem(
            f"Parameter {duplicate} is defined twice.", "Rename or remove one.", parameter=duplicate
        )
    for param in params:
        shaped = param.distribution in ("normal", "logNormal")
        if shaped and name in OPTUNA + SKOPT:
            raise Problem(
                f"{name} cannot sample {param.name} from a {param.distribution} distribution in Katib.",
                "Use uniform or logUniform, or the algorithm random or tpe.",
                parameter=param.name,
            )
        logged = param.distribution in ("logUniform", "logNormal")
        if logged and name in HYPEROPT + SKOPT and param.min is not None and param.min <= 0:
            raise Problem(
                f"{param.name} is {param.distribution} but its min is {param.min}.",
                "Give it a min above 0, or a uniform distribution.",
                parameter=param.name,
            )
        if name in GOPTUNA and param.distribution not in (None, "uniform"):
            notes.append(
                f"Katib's goptuna service samples {param.name} uniformly ({param.distribution} ignored)."
            )
        if name in SKOPT and param.type == "double" and param.step:
            notes.append(f"scikit-optimize ignores the step of {param.name}, as Katib's skopt service does.")
    if name == "cmaes" and sum(param.type in ("int", "double") for param in params) < 2:
        raise Problem(
            "cmaes needs two or more int or double parameters.",
            "Add a parameter, or choose another algorithm (tpe, bayesianoptimization).",
        )
    if name == "grid":
        size = grid_size(grid_values(params))
        if max_trial_count is not None and max_trial_count > size:
            raise Problem(
                f"maxTrialCount {max_trial_count} is more than the grid's {size} combinations.",
                f"Set maxTrialCount to {size} or less, or add grid points.",
            )


def grid_values(params):
    """Katib's convert_to_combinations: every value of each parameter, in order."""
    import numpy as np

    values = {}
    for param in params:
        if param.type == "int":
            values[param.name] = range(param.min, param.max + 1, param.step)
        elif param.type == "double":
            if not param.step:
                raise Problem(
                    f"grid needs a step for the double parameter {param.name}.",
                    f"Add feasibleSpace.step to {param.name}.",
                    parameter=param.name,
                )
            # Counted before numpy lists them: a tiny step must not fill the memory.
            grid_size({param.name: range(math.floor((param.max - param.min) / param.step) + 1)})
            points = np.arange(param.min, param.max + param.step, param.step)
            # Katib drops a last point past max (float error can drop max itself; it does too).
            values[param.name] = [float(p) for p in (points[:-1] if points[-1] > param.max else points)]
        else:
            values[param.name] = list(param.list)
    grid_size(values)
    return values


def grid_size(values):
    """How many points the grid has; GridSampler lists them all, so not too many."""
    size = math.prod(len(each) for each in values.values())
    if size > MAX_GRID:
        raise Problem(
            f"The grid has {size} points.", "Use larger steps or fewer values, or another algorithm."
        )
    return size


# --- The trials: what each Katib service is told of them.


def told(trials):
    """Katib's Trial.convert: succeeded or early-stopped trials that have their objective."""
    return [t for t in trials if ended_with_objective(t)]


def ended_with_objective(trial):
    return trial["status"] in ("succeeded", "early-stopped") and trial.get("objective") is not None


def values_of(trial, params):
    given = {a["name"]: a["value"] for a in trial["parameters"]}
    values = {}
    for param in params:
        text = given.get(param.name)
        try:
            values[param.name] = param.number(text)
        except (TypeError, ValueError):
            values[param.name] = None
        if values[param.name] is None or (param.list and text not in param.list):
            raise Problem(
                f"Trial {trial['name']} has {param.name} = {text!r}, "
                "which is not in the experiment's search space.",
                "The trials no longer match the experiment's parameters: start a new experiment.",
                parameter=param.name,
            )
    return values


def call_seed(random_state, trials_so_far, draws=1):
    """Seeds for this call. Katib's services draw one seed per GetSuggestions from one generator
    seeded with random_state; a rebuilt optimizer skips the draws of the calls before (one per
    trial, as when trials are asked one at a time), so a resumed experiment draws the same ones."""
    if random_state is None:
        return [None] * draws
    import numpy as np

    generator = np.random.RandomState(random_state)
    for _ in range(trials_so_far):
        generator.randint(2**31 - 1)
    return [int(generator.randint(2**31 - 1)) for _ in range(draws)]


def sign(objective):
    # hyperopt and skopt minimise; Katib negates a maximised objective for them.
    return -1.0 if objective["type"] == "maximize" else 1.0


# --- random, tpe: hyperopt (Katib's hyperopt/base_service.py).


def hyperopt_space(params):
    from hyperopt import hp

    space = {}
    for p in params:
        if p.type in ("categorical", "discrete"):
            space[p.name] = hp.choice(p.name, p.list)
        elif p.distribution in (None, "uniform"):
            if p.step:
                space[p.name] = hp.quniform(p.name, p.min, p.max, p.step)
            else:
                space[p.name] = hp.uniform(p.name, p.min, p.max)
        elif p.distribution == "logUniform":
            low, high = math.log(p.min), math.log(p.max)
            if p.step:
                space[p.name] = hp.qloguniform(p.name, low, high, p.step)
            else:
                space[p.name] = hp.loguniform(p.name, low, high)
        else:
            logged = p.distribution == "logNormal"
            low, high = (math.log(p.min), math.log(p.max)) if logged else (p.min, p.max)
            # Katib reads min and max as mu ± 3 sigma.
            mu, sigma = (low + high) / 2, (high - low) / 6
            sample = {"normal": (hp.normal, hp.qnormal), "logNormal": (hp.lognormal, hp.qlognormal)}
            plain, stepped = sample[p.distribution]
            space[p.name] = stepped(p.name, mu, sigma, p.step) if p.step else plain(p.name, mu, sigma)
    return space


def suggest_hyperopt(request, params, settings):
    # hyperopt 0.2.7 imports pkg_resources, deprecated; the pinned setuptools still has it.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import hyperopt

    domain = hyperopt.Domain(None, hyperopt_space(params), pass_expr_memo_ctrl=None)
    history = hyperopt.Trials()
    docs = []
    for trial in told(request["trials"]):
        tid = history.new_trial_ids(1)[0]
        values = values_of(trial, params)
        vals = {p.name: [p.list.index(values[p.name]) if p.list else values[p.name]] for p in params}
        misc = {"tid": tid, "cmd": domain.cmd, "workdir": domain.workdir}
        misc.update(idxs={p.name: [tid] for p in params}, vals=vals)
        loss = sign(request["objective"]) * float(trial["objective"])
        docs.append((tid, {"trial-name": trial["name"]}, {"loss": loss, "status": hyperopt.STATUS_OK}, misc))
    if docs:
        tids, specs, results, miscs = (list(column) for column in zip(*docs))
        new_docs = history.new_trial_docs(tids=tids, specs=specs, results=results, miscs=miscs)
        for doc in new_docs:
            doc["state"] = hyperopt.JOB_STATE_DONE
        history.insert_trial_docs(new_docs)
        history.refresh()

    count = request["count"]
    new_ids = history.new_trial_ids(count)
    options = dict(settings)
    seeds = call_seed(options.pop("random_state", None), len(request["trials"]), count)
    if request["algorithm"]["algorithmName"] == "random":
        new_trials = hyperopt.rand.suggest(new_ids, domain, history, seeds[0])
    elif not request["trials"]:
        # Katib's first call asks for every trial at once, all from the startup (random) phase.
        new_trials = hyperopt.tpe.suggest(new_ids, domain, history, seeds[0], n_startup_jobs=count, **options)
    else:
        # Katib then asks one at a time with n_startup_jobs = the count asked for. It reuses one seed
        # for all, which repeats the same assignment; Parity draws one seed per trial instead.
        new_trials = [
            hyperopt.tpe.suggest([tid], domain, history, seed, n_startup_jobs=count, **options)[0]
            for tid, seed in zip(new_ids, seeds)
        ]
    return [hyperopt_assignment(params, t["misc"]["vals"]) for t in new_trials]


def hyperopt_assignment(params, vals):
    def value(p):
        raw = vals[p.name][0]
        return p.list[int(raw)] if p.list else str(int(raw)) if p.type == "int" else str(float(raw))

    return [{"name": p.name, "value": value(p)} for p in params]


# --- bayesianoptimization: scikit-optimize (Katib's skopt/base_service.py).


def suggest_skopt(request, params, settings):
    import skopt

    dimensions = []
    for p in params:
        prior = "log-uniform" if p.distribution == "logUniform" else "uniform"
        if p.type == "int":
            dimensions.append(skopt.space.Integer(p.min, p.max, prior, name=p.name))
        elif p.type == "double":
            dimensions.append(skopt.space.Real(p.min, p.max, prior, name=p.name))
        else:
            dimensions.append(skopt.space.Categorical(p.list, name=p.name))
    optimizer = skopt.Optimizer(
        dimensions,
        base_estimator=settings.get("base_estimator", "GP"),
        n_initial_points=settings.get("n_initial_points", 10),
        acq_func=settings.get("acq_func", "gp_hedge"),
        acq_optimizer=settings.get("acq_optimizer", "auto"),
        random_state=call_seed(settings.get("random_state"), len(request["trials"]))[0],
    )
    done = told(request["trials"])
    if done:
        points = [[values_of(t, params)[p.name] for p in params] for t in done]
        optimizer.tell(points, [sign(request["objective"]) * float(t["objective"]) for t in done])
    asked = optimizer.ask(n_points=request["count"])
    return [[{"name": p.name, "value": str(point[i])} for i, p in enumerate(params)] for point in asked]


# --- grid, multivariate-tpe (Katib's optuna/base_service.py); cmaes, sobol (for goptuna).


def optuna_space(name, params):
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    space = {}
    for p in params:
        if p.list:
            space[p.name] = CategoricalDistribution(p.list)
        elif name in GOPTUNA:
            # goptuna ignores the distribution: uniform, stepped when a step is given.
            kind = IntDistribution if p.type == "int" else FloatDistribution
            space[p.name] = kind(p.min, p.max, step=p.step)
        elif p.distribution == "logUniform":
            # Katib's optuna service keeps the bounds positive and drops the step for log scales.
            if p.type == "int":
                space[p.name] = IntDistribution(max(1, p.min), p.max, log=True)
            else:
                space[p.name] = FloatDistribution(max(1e-10, p.min), p.max, log=True)
        elif p.type == "int":
            space[p.name] = IntDistribution(p.min, p.max, step=p.step)
        else:
            space[p.name] = FloatDistribution(p.min, p.max, step=p.step)
    return space


def optuna_sampler(name, params, settings, seed):
    import optuna

    if name == "grid":
        # GridSampler shuffles the grid once by its seed and gives trial n the n-th point, so the
        # seed must be the same in every call: random_state itself, not this call's seed.
        return optuna.samplers.GridSampler(grid_values(params), seed=settings.get("random_state"))
    if name == "multivariate-tpe":
        return optuna.samplers.TPESampler(
            n_startup_trials=settings.get("n_startup_trials", 10),
            n_ei_candidates=settings.get("n_ei_candidates", 24),
            seed=seed,
            multivariate=True,
            constant_liar=True,
        )
    # Categorical values are sampled independently, as goptuna does: no need to warn each trial.
    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(
            sigma0=settings.get("sigma"), seed=seed, warn_independent_sampling=False
        )
    return optuna.samplers.QMCSampler(qmc_type="sobol", seed=seed, warn_independent_sampling=False)


def replayed_state(name, trial):
    """How the trial ends in the study. Katib's optuna service tells only what Trial.convert keeps
    and leaves the rest running; its goptuna service also records failures and early stops."""
    from optuna.trial import TrialState

    if ended_with_objective(trial):
        stopped = name in GOPTUNA and trial["status"] == "early-stopped"
        return TrialState.PRUNED if stopped else TrialState.COMPLETE
    if name in GOPTUNA and trial["status"] in ("failed", "cancelled", "lost"):
        return TrialState.FAIL
    return TrialState.RUNNING


def suggest_optuna(request, params, settings):
    import optuna
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # Katib's choices (multivariate, constant_liar, QMCSampler) are experimental in optuna: a
    # warning on every call would bury the messages that matter.
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    name = request["algorithm"]["algorithmName"]
    space = optuna_space(name, params)
    seed = call_seed(settings.get("random_state"), len(request["trials"]))[0]
    direction = "maximize" if request["objective"]["type"] == "maximize" else "minimize"
    study = optuna.create_study(sampler=optuna_sampler(name, params, settings, seed), direction=direction)
    # Each trial is asked again with its own values and told as it ended, in order: the samplers'
    # counters (trial numbers, CMA-ES generations, the Sobol index) come out as they were.
    for trial in request["trials"]:
        study.enqueue_trial(values_of(trial, params))
        asked = study.ask(space)
        if name in GOPTUNA:
            asked.relative_params  # Runs the relative sampler, which counts the trial.
        state = replayed_state(name, trial)
        if state == TrialState.COMPLETE:
            study.tell(asked, float(trial["objective"]))
        elif state != TrialState.RUNNING:
            study.tell(asked, state=state)

    count = request["count"]
    if name == "grid":
        # Once every point has been asked for, GridSampler would repeat one; Parity stops instead.
        count = min(count, max(0, grid_size(grid_values(params)) - len(request["trials"])))
    asked = [study.ask(space).params for _ in range(count)]
    text = go_text if name in GOPTUNA else str
    return [[{"name": p.name, "value": text(values[p.name])} for p in params] for values in asked]


def go_text(value):
    """A value as goptuna writes it (Go's strconv): floats in plain digits, never exponents."""
    if isinstance(value, float):
        import numpy as np

        return np.format_float_positional(value, unique=True, trim="-")
    return str(value)


# --- Requests.

GOPTUNA_NOTE = (
    "Katib runs {name} with its Go service (goptuna); Parity runs optuna's {sampler} instead, "
    "so the sequence of suggestions differs from Katib's."
)


def prepare(request, notes):
    algorithm = request["algorithm"]
    name = algorithm["algorithmName"]
    if name not in SETTINGS:
        known = ", ".join(SETTINGS)
        raise Problem(f"Katib has no algorithm {name}.", f"Use one of: {known}.")
    settings = parse_settings(algorithm, notes)
    params = [Param(spec) for spec in request["parameters"]]
    check_space(name, params, request.get("maxTrialCount"), notes)
    return name, params, settings


def suggest(request):
    notes = []
    name, params, settings = prepare(request, notes)
    if name in GOPTUNA:
        sampler = "CmaEsSampler" if name == "cmaes" else 'QMCSampler(qmc_type="sobol")'
        notes.append(GOPTUNA_NOTE.format(name=name, sampler=sampler))
    run = suggest_hyperopt if name in HYPEROPT else suggest_skopt if name in SKOPT else suggest_optuna
    return {"assignments": run(request, params, settings), "notes": notes}


def validate(request):
    notes = []
    try:
        prepare(request, notes)
    except Problem as problem:
        return {"valid": False, "errors": [problem.reply], "notes": notes}
    return {"valid": True, "notes": notes}


def answer(request):
    try:
        if request.get("kind") == "validate":
            return validate(request)
        if request.get("kind") == "suggest":
            return suggest(request)
        raise Problem(f"Unknown request kind {request.get('kind')!r}.", "Send kind suggest or validate.")
    except Problem as problem:
        return {"error": problem.reply}
    except Exception as error:  # A library's failure becomes a reply, not a crash.
        traceback.print_exc(file=sys.stderr)
        name = request.get("algorithm", {}).get("algorithmName", "the algorithm")
        return {
            "error": {
                "message": f"{name} failed: {type(error).__name__}: {error}",
                "fix": "Check the experiment's parameters and settings; "
                "the suggestion process's log has the traceback.",
            }
        }


def main():
    # Replies go to a private copy of stdout; anything else written to fd 1, even by C code, lands on stderr.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            reply = answer(request)
            reply["id"] = request.get("id")
        except json.JSONDecodeError as error:
            problem = Problem(f"The request is not JSON: {error}.", "Send one JSON object a line.")
            reply = {"error": problem.reply}
        try:
            replies.write(json.dumps(reply, allow_nan=False) + "\n")
            replies.flush()
        except BrokenPipeError:
            return


if __name__ == "__main__":
    main()
