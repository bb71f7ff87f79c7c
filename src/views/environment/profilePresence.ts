import * as vscode from "vscode";
import type { GovernedFolder } from "./profileFolders";
import { ProfileIndex } from "./profileIndex";

const PROFILE_GLOB = "**/parity.{yaml,yml}";
const NOT_SEARCHED = "**/{node_modules,.git,.venv}/**";
/** A workspace with more profiles than this is listed in part. */
const MAX_PROFILES = 500;

/** Every parity.yaml (and parity.yml) of the workspace folders, as absolute paths. */
export async function findProfiles(): Promise<string[]> {
  const found = await vscode.workspace.findFiles(PROFILE_GLOB, NOT_SEARCHED, MAX_PROFILES);
  return found.map((uri) => uri.fsPath).sort((a, b) => a.localeCompare(b));
}

/**
 * The workspace's profiles, kept current from the events that name what changed, and whether
 * there is one as the context key parity.hasProfile (the Environment view's welcome and its
 * Create Profile button). The workspace is searched on first use and when its folders change, or
 * when a folder that held profiles went away (it may have moved); one search at a time.
 */
export class ProfilePresence implements vscode.Disposable {
  private readonly index = new ProfileIndex();
  private searched?: Promise<void>;
  /** The search running now, and the one queued after it. */
  private running: Promise<void> = Promise.resolve();
  private queued?: Promise<void>;
  private hasProfile?: boolean;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly profileWatcher = vscode.workspace.createFileSystemWatcher(
    PROFILE_GLOB,
    false,
    true,
    false,
  );
  /** A deleted folder is one event, for the folder: the profile watcher is not told of the files in it. */
  private readonly deletionWatcher = vscode.workspace.createFileSystemWatcher("**/*", true, true, false);
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscriptions = [
      this.profileWatcher.onDidCreate((uri) => this.apply(this.index.add(uri.fsPath))),
      this.profileWatcher.onDidDelete((uri) => this.apply(this.index.removeBelow(uri.fsPath))),
      this.deletionWatcher.onDidDelete((uri) => this.folderGone(uri)),
      // Deleted in the editor: gone, not moved.
      vscode.workspace.onDidDeleteFiles((event) =>
        this.apply(event.files.map((uri) => this.index.removeBelow(uri.fsPath)).some(Boolean)),
      ),
      vscode.workspace.onDidRenameFiles((event) =>
        this.apply(
          event.files
            .map(({ oldUri, newUri }) => this.index.move(oldUri.fsPath, newUri.fsPath))
            .some(Boolean),
        ),
      ),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.search()),
    ];
  }

  /** The profiles of the workspace (absolute paths, sorted); searched on first use. */
  async list(): Promise<string[]> {
    this.searched ??= this.search();
    await this.searched;
    return this.index.list();
  }

  /** Which folder each profile governs, worked out once per change. */
  async governed(): Promise<GovernedFolder[]> {
    await this.list();
    return this.index.governed();
  }

  /** Something was deleted: the profiles in it are gone; a folder that held some may have moved, so search again. */
  private folderGone(uri: vscode.Uri): void {
    if (!this.index.removeBelow(uri.fsPath)) return;
    this.apply(true);
    if (!/^parity\.ya?ml$/.test(uri.path.split("/").pop() ?? "")) void this.search();
  }

  /** One search at a time; a search asked for while one runs waits for it, and asks once for all. */
  private search(): Promise<void> {
    this.queued ??= this.running.then(async () => {
      // Taken off the queue as it starts: a change from now on asks for a search after this one.
      this.queued = undefined;
      this.index.searchStarted();
      const found = await findProfiles().catch(() => undefined);
      this.apply(this.index.searchFinished(found));
    });
    this.running = this.queued;
    return this.queued;
  }

  private apply(changed: boolean): void {
    const hasProfile = this.index.list().length > 0;
    if (hasProfile !== this.hasProfile) {
      this.hasProfile = hasProfile;
      void vscode.commands.executeCommand("setContext", "parity.hasProfile", hasProfile);
    }
    if (changed) this.changed.fire();
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.profileWatcher.dispose();
    this.deletionWatcher.dispose();
    this.changed.dispose();
  }
}
