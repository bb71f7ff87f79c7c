import * as vscode from "vscode";
import { CancelledError, ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { checkScope } from "../../services/trust";
import { withCancellableProgress } from "../support/progress";

const PROFILE_NAMES = ["parity.yaml", "parity.yml"];

/**
 * Parity: Create Profile — a parity.yaml in the active notebook's workspace folder from the current
 * environment (its Python version; defaults elsewhere), as an undoable edit. Never overwrites one.
 */
export async function createProfile(services: Services): Promise<void> {
  const folder = await targetFolder(services);
  for (const name of PROFILE_NAMES) {
    const existing = vscode.Uri.joinPath(folder.uri, name);
    if (await exists(existing)) {
      await vscode.window.showTextDocument(existing);
      void vscode.window.showInformationMessage(
        `${name} already exists in ${folder.name}, so Parity left it as it is and opened it for editing.`,
      );
      return;
    }
  }
  const target = vscode.Uri.joinPath(folder.uri, "parity.yaml");
  const app = await services.app();
  const scope = checkScope(vscode.workspace.isTrusted);
  const text = await withCancellableProgress(
    services,
    "Parity: reading the current environment",
    ({ signal, print }) => {
      if (scope.note)
        print("Restricted Mode: the interpreter was not probed; the profile names the default Python.");
      return app.draftProfile(services.sessionContext(target.fsPath, signal), folder.uri.fsPath, {
        python: services.python(),
        probeLocal: scope.probeLocal,
        print,
      });
    },
  );
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(target, {
    overwrite: false,
    ignoreIfExists: false,
    contents: new TextEncoder().encode(text),
  });
  if (!(await vscode.workspace.applyEdit(edit))) {
    throw new ParityError("ProfileNotCreated", `The editor could not create ${target.fsPath}.`, {
      fix: "Check that the folder is writable, then try again.",
    });
  }
  await vscode.window.showTextDocument(target);
  services.log(`Created ${target.fsPath}.`);
}

async function targetFolder(services: Services): Promise<vscode.WorkspaceFolder> {
  const active = services.activeNotebook.file;
  const folder = active ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(active)) : undefined;
  if (folder) return folder;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1) return folders[0]!;
  if (folders.length === 0) {
    throw new ParityError("NoWorkspace", "Create Profile needs a folder to write parity.yaml into.", {
      fix: "Open the project's folder (File > Open Folder), then try again.",
    });
  }
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: "Where should parity.yaml go?" });
  if (!picked) throw new CancelledError();
  return picked;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
