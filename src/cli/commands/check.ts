import { jobOptions, parseCommand, TARGET_HELP, targetOf, targetOptions } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity check <notebook> [options]

Compares the notebook's environment (its interpreter) with production's: the profile's image,
requirements and limits. When the production image for this exact code is already built, it is
probed too. Exits 1 when the report has errors.

With --target cluster it asks the cluster instead: would the job schedule (nodes' allocatable
resources, taints, node selectors, the namespace's ResourceQuota and LimitRange) and may you
submit it (SelfSubjectAccessReview), and can it pull the image (image.registry, or a cluster
sharing this Docker engine), and, where the image is built, whether its CUDA build runs on the
GPU and the NVIDIA driver the nodes' labels name. Exits 1 when it would not schedule, is not
allowed, could not pull, or its CUDA build cannot run there.

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
  const target = await targetOf(values, io, "check");
  if (typeof target === "number") return target;

  const check = await target.check(io, {
    notebook: positionals[0]!,
    profile: values.profile,
    python: values.python,
    params: values.param,
    placement: { context: values.context, namespace: values.namespace },
    print: values.json ? io.err : io.out,
  });
  if (values.json) io.out(JSON.stringify(check.json));
  else io.out(`\n${check.text}`);
  return check.passed ? 0 : 1;
};
