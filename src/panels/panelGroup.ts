/**
 * Which editor group a new panel joins: the one where Parity's panels already are, wherever the
 * user moved them. vscode-free: the caller describes the window's tab groups.
 */

/** An editor group as vscode.window.tabGroups describes it. */
export interface GroupOfTabs<Column> {
  viewColumn: Column;
  isActive: boolean;
  /** The view type of each of its webview tabs (other tabs may be left out). */
  webviewTypes: readonly string[];
  /** The view type of its active tab when that is a webview. */
  activeWebviewType?: string;
}

/**
 * The tab API reports a webview panel's view type with a prefix of the workbench's own
 * ("mainThreadWebview-parity.logs" in VS Code 1.100), a detail it may drop later: both forms match.
 */
const WEBVIEW_TAB_PREFIX = "mainThreadWebview-";

export function isPanelType(tabViewType: string | undefined, panelTypes: ReadonlySet<string>): boolean {
  if (tabViewType === undefined) return false;
  const bare = tabViewType.startsWith(WEBVIEW_TAB_PREFIX)
    ? tabViewType.slice(WEBVIEW_TAB_PREFIX.length)
    : tabViewType;
  return panelTypes.has(bare);
}

/**
 * The group holding Parity's panels: the active group if it holds one, else a group showing one
 * in front, else the first that holds one; undefined when no group does (the panel opens beside).
 */
export function parityPanelColumn<Column>(
  groups: ReadonlyArray<GroupOfTabs<Column>>,
  panelTypes: ReadonlySet<string>,
): Column | undefined {
  const holding = groups.filter((group) => group.webviewTypes.some((type) => isPanelType(type, panelTypes)));
  const chosen =
    holding.find((group) => group.isActive) ??
    holding.find((group) => isPanelType(group.activeWebviewType, panelTypes)) ??
    holding[0];
  return chosen?.viewColumn;
}
