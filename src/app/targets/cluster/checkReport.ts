import { fixLines } from "../../../core/presentation/fix";
import type { ClusterCheck } from "./prepare";

/** `parity check --target cluster --json`. */
export function clusterCheckJson(check: ClusterCheck): Record<string, unknown> {
  return {
    notebook: check.job.notebookFile,
    target: "cluster",
    context: check.target.context,
    server: check.target.server,
    namespace: check.target.namespace,
    schedulable: check.prediction.schedulable,
    allowed: check.missing.length === 0,
    missing: check.missing,
    problems: [
      ...check.prediction.problems,
      ...(check.imageRoute ? [check.imageRoute] : []),
      ...check.imageCuda,
    ],
    fits: check.prediction.fits,
  };
}

/** Would it schedule, may the user submit it, can the cluster pull the image: one line each, with fixes. */
export function clusterCheckText(check: ClusterCheck): string {
  const lines: string[] = [];
  if (check.prediction.schedulable) {
    const placed = check.prediction.fits.map((fit) => `${fit.role} on ${fit.nodes.join(", ") || "no node"}`);
    lines.push(`✓ Would schedule: ${placed.join("; ")}`);
  } else lines.push("✗ Would not schedule: it would stay Pending.");
  for (const problem of check.prediction.problems) {
    lines.push(`${problem.severity === "error" ? "✗" : "!"} ${problem.message}`, ...fixLines(problem));
  }
  if (check.missing.length === 0) lines.push(`✓ Allowed to submit in ${check.target.namespace}`);
  for (const sentence of check.missing) lines.push(`✗ ${sentence}`);
  if (check.imageRoute) {
    lines.push(`✗ ${check.imageRoute.message}`);
    lines.push(`  Fix: ${check.imageRoute.fix}`);
  }
  for (const problem of check.imageCuda) {
    const mark = problem.severity === "error" ? "✗" : problem.severity === "warning" ? "!" : "·";
    lines.push(`${mark} ${problem.message}`, ...fixLines(problem));
  }
  return lines.join("\n");
}

export function clusterCheckPassed(check: ClusterCheck): boolean {
  return (
    check.prediction.schedulable &&
    check.missing.length === 0 &&
    !check.imageRoute &&
    !check.imageCuda.some((problem) => problem.severity === "error")
  );
}
