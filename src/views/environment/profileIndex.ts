import { isInside } from "../../core/paths";
import { governedFolders, type GovernedFolder } from "./profileFolders";

type Change = (files: Set<string>) => boolean;

/**
 * The workspace's profile files, kept by the changes the editor reports (a file created or
 * deleted, a folder deleted or moved with what is in it) and by whole searches. A search takes
 * time: the changes reported while it runs are applied again to what it found, so a slow search
 * never brings back a file deleted meanwhile. Pure: ProfilePresence feeds it.
 */
export class ProfileIndex {
  private files = new Set<string>();
  private sorted?: string[];
  private governedCache?: GovernedFolder[];
  /** The changes since the running search began; undefined while none runs. */
  private sinceSearch?: Change[];

  /** The profile files, sorted. */
  list(): string[] {
    this.sorted ??= [...this.files].sort((a, b) => a.localeCompare(b));
    return this.sorted;
  }

  /** Which folder each profile governs: worked out once per change, however often the view asks. */
  governed(): GovernedFolder[] {
    this.governedCache ??= governedFolders(this.list());
    return this.governedCache;
  }

  add(file: string): boolean {
    return this.change((files) => {
      if (files.has(file)) return false;
      files.add(file);
      return true;
    });
  }

  /** `target` (a profile file, or a folder) is gone, and every profile in it. */
  removeBelow(target: string): boolean {
    return this.change((files) => {
      const gone = [...files].filter((file) => isInside(file, target));
      gone.forEach((file) => files.delete(file));
      return gone.length > 0;
    });
  }

  /** `from` (a profile file, or a folder) was moved to `to`, with every profile in it. */
  move(from: string, to: string): boolean {
    return this.change((files) => {
      const moved = [...files].filter((file) => isInside(file, from));
      moved.forEach((file) => files.delete(file));
      moved.forEach((file) => files.add(to + file.slice(from.length)));
      return moved.length > 0;
    });
  }

  /** A search of the workspace begins: the changes from now on are kept, to apply to what it finds. */
  searchStarted(): void {
    this.sinceSearch = [];
  }

  /**
   * The search's result (undefined when it failed: what is known stays) replaces the list, with
   * the changes reported meanwhile applied on top. True when the list changed.
   */
  searchFinished(found: readonly string[] | undefined): boolean {
    const changes = this.sinceSearch ?? [];
    this.sinceSearch = undefined;
    if (!found) return false;
    const files = new Set(found);
    changes.forEach((change) => change(files));
    const changed = files.size !== this.files.size || [...files].some((file) => !this.files.has(file));
    if (changed) this.replace(files);
    return changed;
  }

  private change(change: Change): boolean {
    this.sinceSearch?.push(change);
    const files = new Set(this.files);
    if (!change(files)) return false;
    this.replace(files);
    return true;
  }

  private replace(files: Set<string>): void {
    this.files = files;
    this.sorted = undefined;
    this.governedCache = undefined;
  }
}
