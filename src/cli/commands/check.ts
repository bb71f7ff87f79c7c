import { formatReport } from "../../core/parity";
import { checkCluster, type ClusterCheck } from "../../targets/clusterSession";
import { checkParity } from "../../targets/session";
import { jobOptions, parseCommand, TARGET_HELP, targetOf, targetOptions } from "../args";
import type { CliCommand, CliIO } from "../io";

const USAGE = `Usage: parity check <notebook> [options]

Compares the notebook's environment (its interpreter) with production's: the profile's image,
requirements and limits. When the production image for this exact code is already built, it is
probed too. Exits 1 when the report has errors.

With --target cluster it asks the cluster instead: would the job schedule (nodes' allocatable
resources, taints, node selectors, the namespace's ResourceQuota and LimitRange) and may you
submit it (SelfSubjectAccessReview), and can it pull the image (image.registry, or a cluster
sharing this Docker engine). Exits 1 when it would not schedule, is not allowed, or could not pull.

Options:
  --profile <file>        parity.yaml to use (default: the nearest one above the notebook)
  --python <path>         The notebook's interpreter (default: PARITY_PYTHON, .venv, python3)
${TARGET_HELP}
  -p, --param name=value  Override a parameter of the notebook's "parameters" cell (repeatable)
  --json                  Print the result as JSON
  -h, --help              Show this help`;

export const checkCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    {
      ...jobOptions,
      ...targetOptions,
      python: { type: "string" },
      param: { type: "string", short: "p", multiple: true, default: [] },
    },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const target = targetOf(values, io, "check");
  if (target === 2) return target;
  const print = values.json ? io.err : io.out;

  if (target === "cluster") {
    const check = await checkCluster(io, positionals[0]!, {
      profile: values.profile,
      context: values.context,
      namespace: values.namespace,
      params: values.param,
      print,
    });
    if (values.json) io.out(JSON.stringify(clusterCheckJson(check)));
    else printClusterCheck(io, check);
    return check.prediction.schedulable && check.missing.length === 0 && !check.imageRoute ? 0 : 1;
  }

  const result = await checkParity(io, positionals[0]!, {
    profile: values.profile,
    python: values.python,
    print,
  });
  if (values.json)
    io.out(
      JSON.stringify({
        notebook: result.job.notebookFile,
        image: result.builtImage ?? null,
        ...result.report,
      }),
    );
  else io.out(`\n${formatReport(result.report)}`);
  return result.report.errors > 0 ? 1 : 0;
};

function clusterCheckJson(check: ClusterCheck) {
  return {
    notebook: check.job.notebookFile,
    target: "cluster",
    context: check.target.context,
    server: check.target.server,
    namespace: check.target.namespace,
    schedulable: check.prediction.schedulable,
    allowed: check.missing.length === 0,
    missing: check.missing,
    problems: [...check.prediction.problems, ...(check.imageRoute ? [check.imageRoute] : [])],
    fits: check.prediction.fits,
  };
}

function printClusterCheck(io: CliIO, check: ClusterCheck): void {
  io.out("");
  if (check.prediction.schedulable) {
    const placed = check.prediction.fits.map((fit) => `${fit.role} on ${fit.nodes.join(", ") || "no node"}`);
    io.out(`✓ Would schedule: ${placed.join("; ")}`);
  } else io.out("✗ Would not schedule: it would stay Pending.");
  for (const problem of check.prediction.problems) {
    io.out(`${problem.severity === "error" ? "✗" : "!"} ${problem.message}`);
    io.out(`  Fix: ${problem.fix}`);
  }
  if (check.missing.length === 0) io.out(`✓ Allowed to submit in ${check.target.namespace}`);
  for (const sentence of check.missing) io.out(`✗ ${sentence}`);
  if (check.imageRoute) {
    io.out(`✗ ${check.imageRoute.message}`);
    io.out(`  Fix: ${check.imageRoute.fix}`);
  }
}
