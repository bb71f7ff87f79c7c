import path from "node:path";
import type { ParityItem, Severity } from "../../core/parity";
import { matchesProduction, notebookStatus, notebookStatusDetails } from "../../core/presentation/counts";
import { lastRunSummary } from "../../core/presentation/lastRun";
import type { NotebookState } from "../../services/reportStore";
import { folderLabel, type FolderRoot, type GovernedFolder } from "./profileFolders";

/** One row of the Environment view, without the vscode types. */
export interface EnvironmentNode {
  kind: "profile" | "notebook" | "issue";
  label: string;
  description?: string;
  tooltip: string;
  /** A codicon id and theme colour. */
  icon: { id: string; color?: string };
  contextValue: string;
  /** The profile's file (a row of a parity.yaml of the workspace). */
  profileFile?: string;
  /** The notebook the row is about (notebook and issue rows, and the row saying it has no profile). */
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

/** Folders named in a profile's tooltip, at most: a monorepo may have hundreds. */
const MAX_EXCEPT_NAMED = 10;

/** A profile of the workspace and the folder it governs; `activeNotebook` when it is the one that notebook uses. */
export function profileNode(
  folder: GovernedFolder,
  roots: readonly FolderRoot[],
  activeNotebook?: string,
): EnvironmentNode {
  const where = folderLabel(folder.dir, roots);
  const node: EnvironmentNode = {
    kind: "profile",
    label: path.basename(folder.profileFile),
    description: activeNotebook ? `${where} · in use` : where,
    tooltip: [
      folder.profileFile,
      `Governs the notebooks in ${where} and the folders below it${exceptText(folder, roots)}.`,
      ...(activeNotebook ? [`${path.basename(activeNotebook)} runs with this profile.`] : []),
    ].join("\n"),
    profileFile: folder.profileFile,
    icon: activeNotebook ? { id: "settings", color: "charts.green" } : { id: "settings" },
    contextValue: activeNotebook ? "parity:profile+file+active" : "parity:profile+file",
  };
  if (!folder.alsoThere) return node;
  // As the application layer refuses it (ProfileAmbiguous): say so before a run does.
  const other = path.basename(folder.alsoThere);
  return {
    ...node,
    label: `${node.label} and ${other}`,
    description: `${where} · ambiguous`,
    tooltip: `Both ${folder.profileFile} and ${folder.alsoThere} exist: Parity cannot tell which one is meant, so the notebooks in ${where} do not run until one of them is removed.`,
    icon: SEVERITY_ICONS.error,
    contextValue: `${node.contextValue}+ambiguous`,
  };
}

/** ", except a, b (they have their own)", naming at most MAX_EXCEPT_NAMED folders. */
function exceptText(folder: GovernedFolder, roots: readonly FolderRoot[]): string {
  const except = folder.except;
  if (except.length === 0) return "";
  const named = except.slice(0, MAX_EXCEPT_NAMED).map((dir) => folderLabel(dir, roots));
  const more = except.length - named.length;
  const list = more > 0 ? `${named.join(", ")} and ${more} more` : named.join(", ");
  return `, except ${list} (${except.length === 1 ? "it has its own" : "they have their own"})`;
}

/** The active notebook has no profile in its folder or above it: Create Profile writes one beside it. */
export function missingProfileNode(notebookFile: string, roots: readonly FolderRoot[]): EnvironmentNode {
  const where = folderLabel(path.dirname(notebookFile), roots);
  return {
    kind: "profile",
    label: `No profile for ${where}`,
    description: "default profile",
    tooltip: `${path.basename(notebookFile)} has no parity.yaml in ${where} or above it, so it runs on Parity's default profile: local Docker with 2 GiB of memory and 2 CPUs. Create Profile writes one beside it, with its imports as requirements: the row's button or its menu.`,
    notebookFile,
    icon: { id: "info", color: "problemsInfoIcon.foreground" },
    contextValue: "parity:profile+missing",
  };
}

/**
 * What a click on a row does: open its profile, or its notebook's report. Nothing on the row of a
 * notebook without a profile: Create Profile writes files, so it is the row's button or menu only.
 */
export function rowClick(
  node: EnvironmentNode,
): { command: "vscode.open"; file: string } | { command: "parity.openReport" } | undefined {
  if (node.contextValue === "parity:profile+missing") return undefined;
  if (node.profileFile) return { command: "vscode.open", file: node.profileFile };
  return node.notebookFile ? { command: "parity.openReport" } : undefined;
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
