import path from "node:path";
import type { ParityItem, Severity } from "../../core/parity";
import { matchesProduction, notebookStatus, notebookStatusDetails } from "../../core/presentation/counts";
import { lastRunSummary } from "../../core/presentation/lastRun";
import type { NotebookState } from "../../services/reportStore";

/** One row of the Environment view, without the vscode types. */
export interface EnvironmentNode {
  kind: "profile" | "notebook" | "issue";
  label: string;
  description?: string;
  tooltip: string;
  /** A codicon id and theme colour. */
  icon: { id: string; color?: string };
  contextValue: string;
  /** The profile's file (a profile row read from parity.yaml). */
  profileFile?: string;
  /** The notebook the row is about (notebook and issue rows). */
  notebookFile?: string;
  item?: ParityItem;
  /** The issue's place in its notebook's report: Apply Fix looks the fix up by it. */
  index?: number;
}

const SEVERITY_ICONS: Record<Severity, { id: string; color: string }> = {
  error: { id: "error", color: "problemsErrorIcon.foreground" },
  warning: { id: "warning", color: "problemsWarningIcon.foreground" },
  info: { id: "info", color: "problemsInfoIcon.foreground" },
};

export function profileNode(
  profileFile: string | undefined,
  workspaceDir: string | undefined,
): EnvironmentNode {
  if (!profileFile) {
    return {
      kind: "profile",
      label: "Default profile",
      description: "no parity.yaml above this notebook",
      tooltip: "This notebook has no parity.yaml above it, so it runs on Parity's default profile.",
      icon: { id: "file" },
      contextValue: "parity:profile+default",
    };
  }
  const shown = workspaceDir ? path.relative(workspaceDir, profileFile) || profileFile : profileFile;
  return {
    kind: "profile",
    label: path.basename(profileFile),
    description: path.dirname(shown) === "." ? undefined : path.dirname(shown),
    tooltip: `The profile in use: ${profileFile}`,
    profileFile,
    icon: { id: "settings" },
    contextValue: "parity:profile+file",
  };
}

export function notebookNode(notebookFile: string, state: NotebookState): EnvironmentNode {
  const base = {
    kind: "notebook" as const,
    label: path.basename(notebookFile),
    notebookFile,
    contextValue: `parity:notebook+${state.kind}`,
  };
  switch (state.kind) {
    case "unchecked":
      return {
        ...base,
        description: "not checked yet",
        tooltip: "Check Parity compares this notebook's environment with production.",
        icon: { id: "circle-large-outline" },
      };
    case "checking":
      return { ...base, description: "checking…", tooltip: "Checking parity…", icon: { id: "loading~spin" } };
    case "failed":
      return { ...base, description: "check failed", tooltip: state.message, icon: { id: "warning" } };
    case "checked": {
      const { report } = state;
      return {
        ...base,
        description: notebookStatus(report),
        tooltip: [...notebookStatusDetails(report), "Click to open the report."].join("\n"),
        icon:
          report.errors > 0 || lastRunSummary(report.lastRun)
            ? SEVERITY_ICONS.error
            : report.warnings > 0
              ? SEVERITY_ICONS.warning
              : matchesProduction(report)
                ? { id: "pass", color: "testing.iconPassed" }
                : SEVERITY_ICONS.info,
      };
    }
  }
}

export function issueNode(notebookFile: string, item: ParityItem, index?: number): EnvironmentNode {
  return {
    kind: "issue",
    // The subject first ("torch"), so a long list reads at a glance; the sentence follows.
    label: item.subject ?? item.message,
    description: item.subject ? item.message : undefined,
    tooltip: `${item.message}\nFix: ${item.edit?.title ?? item.fix}`,
    icon: SEVERITY_ICONS[item.severity],
    contextValue: `parity:issue+${item.severity}${item.edit ? "+fixable" : ""}`,
    notebookFile,
    item,
    index,
  };
}
