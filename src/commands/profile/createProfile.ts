import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { DraftedProfile } from "../../app";
import type { App } from "../../services/app";
import type { Services } from "../../services/container";
import { checkScope } from "../../services/trust";
import { governedFolders } from "../../views/environment/profileFolders";
import { findProfiles } from "../../views/environment/profilePresence";
import { withCancellableProgress } from "../support/progress";
import { notebookArgument, profilePlace, workspaceRoots } from "./profilePlace";
import { profileWriteRoots, refuseUnsaved, refuseWritesOutside } from "./writeScope";

const PROFILE_NAMES = ["parity.yaml", "parity.yml"];

type Addition = Awaited<ReturnType<App["requirementsAdditionFor"]>>;

/**
 * Parity: Create Profile — a parity.yaml beside the notebook (asking where when several folders
 * fit, and first when a profile governs the notebook already) from the current environment: its
 * interpreter's Python, and its imports as requirements pinned to the interpreter's versions in
 * requirements.txt beside it. One workspace edit, so Undo takes it all back. Never overwrites a
 * profile, nor a line of requirements.txt, and writes only inside the workspace folders.
 */
export async function createProfile(services: Services, arg?: unknown): Promise<void> {
  const roots = workspaceRoots();
  const notebookFile = notebookArgument(arg, roots) ?? services.activeNotebook.file;
  const governed = governedFolders(await findProfiles());
  const choice = await profilePlace(notebookFile, governed, roots);
  if (choice.kind === "open") {
    await vscode.window.showTextDocument(vscode.Uri.file(choice.profileFile));
    void vscode.window.showInformationMessage(
      `${path.basename(choice.profileFile)} in ${path.basename(path.dirname(choice.profileFile))} governs ${notebookFile ? path.basename(notebookFile) : "the notebook"} already, so Parity opened it for editing.`,
    );
    return;
  }
  const dir = choice.dir;
  for (const name of PROFILE_NAMES) {
    const existing = vscode.Uri.file(path.join(dir, name));
    if (await exists(existing)) {
      await vscode.window.showTextDocument(existing);
      void vscode.window.showInformationMessage(
        `${name} already exists in ${path.basename(dir)}, so Parity left it as it is and opened it for editing.`,
      );
      return;
    }
  }
  const target = vscode.Uri.file(path.join(dir, "parity.yaml"));
  const writeRoots = profileWriteRoots(notebookFile, roots);
  await refuseWritesOutside([target.fsPath], writeRoots);
  const app = await services.app();
  const scope = checkScope(vscode.workspace.isTrusted);
  const draft = await withCancellableProgress(
    services,
    "Parity: reading the current environment",
    ({ signal, print }) => {
      if (scope.note)
        print(
          "Restricted Mode: the interpreter was not run; the profile names the default Python and leaves its requirements unpinned.",
        );
      return app.draftProfile(services.sessionContext(notebookFile ?? target.fsPath, signal), dir, {
        notebook: notebookFile,
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
    contents: new TextEncoder().encode(draft.profile),
  });
  const notebookName = notebookFile ? path.basename(notebookFile) : "the notebook";
  const requirements = await addRequirements(app, edit, draft, { dir, notebookName, writeRoots });
  if (!(await vscode.workspace.applyEdit(edit))) {
    throw new ParityError("ProfileNotCreated", `The editor could not create ${target.fsPath}.`, {
      fix: "Check that the folder is writable, then try again.",
    });
  }
  if (requirements.document) {
    await requirements.document.save();
    services.track(saveWhenUndone(requirements.document));
  }
  await vscode.window.showTextDocument(target);
  const message = [
    createdMessage(dir, draft, requirements.addition, notebookName),
    ...app.draftNotes(draft),
  ].join(" ");
  services.log(message);
  void vscode.window.showInformationMessage(message);
}

interface AddedRequirements {
  addition: Addition;
  /** The requirements file's document, when the edit extends one: it is saved once the edit is made. */
  document?: vscode.TextDocument;
}

/**
 * The drafted requirements that requirements.txt lacks, added to `edit` (the file created when
 * there is none): never through a link out of the workspace, nor over unsaved changes.
 */
async function addRequirements(
  app: App,
  edit: vscode.WorkspaceEdit,
  draft: DraftedProfile,
  options: { dir: string; notebookName: string; writeRoots: string[] },
): Promise<AddedRequirements> {
  if (draft.requirements.length === 0) return { addition: { text: "", added: [], needHashes: [] } };
  const uri = vscode.Uri.file(draft.requirementsFile);
  const document = (await exists(uri)) ? await vscode.workspace.openTextDocument(uri) : undefined;
  refuseUnsaved(document);
  const addition = await app.requirementsAdditionFor(
    draft.requirementsFile,
    options.dir,
    draft.requirements,
    options.notebookName,
  );
  if (!addition.text) return { addition };
  await refuseWritesOutside([draft.requirementsFile], options.writeRoots);
  if (document) {
    edit.insert(uri, document.lineAt(document.lineCount - 1).range.end, addition.text);
  } else {
    edit.createFile(uri, {
      overwrite: false,
      ignoreIfExists: false,
      contents: new TextEncoder().encode(addition.text),
    });
  }
  return { addition, document };
}

/**
 * Undo and Redo of the lines added to an existing requirements.txt change its document; saved
 * again, so that they change the file on disk as the rest of the edit does (parity.yaml is
 * deleted and created again). Until the document is changed some other way or closed, or the
 * extension stops. A limit: the editor may release the document (it was never shown) while the
 * edit can still be undone; an Undo after that reverts the document it opens again, unsaved.
 */
function saveWhenUndone(document: vscode.TextDocument): vscode.Disposable {
  const subscriptions = [
    vscode.workspace.onDidChangeTextDocument((change) => {
      if (change.document !== document || change.contentChanges.length === 0) return;
      const reason = change.reason;
      if (reason === vscode.TextDocumentChangeReason.Undo || reason === vscode.TextDocumentChangeReason.Redo)
        void document.save();
      else stop();
    }),
    vscode.workspace.onDidCloseTextDocument((closed) => {
      if (closed === document) stop();
    }),
  ];
  const stop = (): void => subscriptions.forEach((subscription) => subscription.dispose());
  return { dispose: stop };
}

/** What was written: the profile, and the requirements added or why none were. */
function createdMessage(dir: string, draft: DraftedProfile, addition: Addition, notebook: string): string {
  const created = `Parity created parity.yaml in ${path.basename(dir)}`;
  if (addition.added.length > 0)
    return `${created} and added ${notebook}'s imports to requirements.txt: ${addition.added.map((requirement) => requirement.line).join(", ")}.`;
  if (addition.needHashes.length > 0)
    return `${created}. requirements.txt checks hashes (--hash, --require-hashes), where pip refuses a line without them, so Parity did not add ${notebook}'s imports to it: add ${addition.needHashes.map((requirement) => requirement.line).join(", ")} with their hashes (pip-compile --generate-hashes writes them).`;
  if (draft.requirements.length > 0)
    return `${created}; requirements.txt already lists what ${notebook} imports.`;
  return `${created}.`;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
