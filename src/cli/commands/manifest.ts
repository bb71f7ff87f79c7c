import { jobOptions, parseCommand, TARGET_HELP, targetOf, targetOptions } from "../args";
import type { CliCommand } from "../io";

const USAGE = `Usage: parity manifest <notebook> --target cluster [options]

Prints the Kubernetes manifest "parity run --target cluster" would submit: a batch/v1 Job, or a
PyTorchJob/TFJob when the profile has cluster.distributed, with the profile's requests and limits,
node selector and tolerations. Plain YAML a team can commit. Nothing is built, pushed or submitted.

Options:
${TARGET_HELP}
  -p, --param name=value  Override a parameter of the notebook's "parameters" cell (repeatable)
  --profile <file>        parity.yaml to use (default: the nearest one above the notebook)
  -h, --help              Show this help`;

export const manifestCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    { ...jobOptions, ...targetOptions, param: { type: "string", short: "p", multiple: true, default: [] } },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const target = await targetOf(values, io, "manifest");
  if (typeof target === "number") return target;
  if (!target.manifest) {
    io.err(`parity manifest: ${target.label} has no manifest: add "--target cluster".`);
    return 2;
  }
  const yaml = await target.manifest(io, {
    notebook: positionals[0]!,
    profile: values.profile,
    params: values.param,
    placement: { context: values.context, namespace: values.namespace },
    print: io.err,
  });
  io.out(yaml.trimEnd());
  return 0;
};
