import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ProfileIndex } from "../../../src/views/environment/profileIndex";

/*
 * The vscode API ProfilePresence uses, in memory (no real one can run in a unit test): the
 * watchers' and the workspace's events are fired by the test, findFiles answers when it says.
 */
type Listener<T> = (value: T) => void;
function emitter<T>() {
  const listeners: Listener<T>[] = [];
  return {
    event: (listener: Listener<T>) => {
      listeners.push(listener);
      return { dispose: () => void listeners.splice(listeners.indexOf(listener), 1) };
    },
    fire: (value: T) => [...listeners].forEach((listener) => listener(value)),
  };
}
const uri = (file: string) => ({ fsPath: file, path: file });
const fake = vi.hoisted(() => ({
  watchers: [] as Array<{ glob: string; create: unknown; delete: unknown }>,
  searches: [] as Array<(files: string[]) => void>,
  context: [] as unknown[],
  deleted: undefined as unknown,
  renamed: undefined as unknown,
  folders: undefined as unknown,
}));
vi.mock("vscode", () => {
  fake.deleted = emitter<{ files: { fsPath: string; path: string }[] }>();
  fake.renamed = emitter<{ files: { oldUri: { fsPath: string }; newUri: { fsPath: string } }[] }>();
  fake.folders = emitter<unknown>();
  return {
    EventEmitter: class {
      private readonly inner = emitter<void>();
      event = this.inner.event;
      fire = () => this.inner.fire();
      dispose = () => undefined;
    },
    workspace: {
      createFileSystemWatcher: (glob: string) => {
        const watcher = { glob, create: emitter<unknown>(), delete: emitter<unknown>() };
        fake.watchers.push(watcher);
        return {
          onDidCreate: watcher.create.event,
          onDidDelete: watcher.delete.event,
          dispose: () => undefined,
        };
      },
      findFiles: () =>
        new Promise<{ fsPath: string }[]>((resolve) =>
          fake.searches.push((files) => resolve(files.map((file) => ({ fsPath: file })))),
        ),
      onDidDeleteFiles: (fake.deleted as ReturnType<typeof emitter>).event,
      onDidRenameFiles: (fake.renamed as ReturnType<typeof emitter>).event,
      onDidChangeWorkspaceFolders: (fake.folders as ReturnType<typeof emitter>).event,
    },
    commands: { executeCommand: async (...args: unknown[]) => void fake.context.push(args) },
  };
});
const { ProfilePresence } = await import("../../../src/views/environment/profilePresence");

type Fired = { fire(value: unknown): void };
const watcher = (glob: string) =>
  fake.watchers.find((found) => found.glob === glob)! as unknown as {
    create: Fired;
    delete: Fired;
  };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the workspace's profiles as the Environment view lists them", () => {
  it("drops the profiles of a folder deleted at once, of which the profile watcher hears nothing", async () => {
    fake.watchers = [];
    fake.searches = [];
    const presence = new ProfilePresence();
    const listed = presence.list();
    await settle();
    fake.searches.shift()!(["/w/a/parity.yaml", "/w/a/deep/parity.yml", "/w/b/parity.yaml"]);
    expect(await listed).toEqual(["/w/a/deep/parity.yml", "/w/a/parity.yaml", "/w/b/parity.yaml"]);
    const changes = vi.fn();
    presence.onDidChange(changes);

    // Deleted outside the editor: one event, for the folder.
    watcher("**/*").delete.fire(uri("/w/a"));
    expect(await presence.list()).toEqual(["/w/b/parity.yaml"]);
    expect(changes).toHaveBeenCalledTimes(1);
    // It may have moved: the workspace is searched again.
    await settle();
    fake.searches.shift()!(["/w/b/parity.yaml", "/w/moved/parity.yaml"]);
    await settle();
    expect(await presence.list()).toEqual(["/w/b/parity.yaml", "/w/moved/parity.yaml"]);

    // Renamed in the editor: its profiles move with it, no search needed.
    (fake.renamed as Fired).fire({ files: [{ oldUri: uri("/w/moved"), newUri: uri("/w/renamed") }] });
    expect(await presence.list()).toEqual(["/w/b/parity.yaml", "/w/renamed/parity.yaml"]);
    (fake.deleted as Fired).fire({ files: [uri("/w/renamed")] });
    expect(await presence.list()).toEqual(["/w/b/parity.yaml"]);
    expect(fake.searches).toHaveLength(0);
    expect(fake.context.at(-1)).toEqual(["setContext", "parity.hasProfile", true]);
    presence.dispose();
  });

  it("searches one at a time, and a slow search does not bring back a profile deleted meanwhile", async () => {
    fake.watchers = [];
    fake.searches = [];
    const presence = new ProfilePresence();
    const listed = presence.list();
    await settle();
    // Changes while the search runs, and two more searches asked for: one queued after it, none beside it.
    watcher("**/parity.{yaml,yml}").create.fire(uri("/w/new/parity.yaml"));
    watcher("**/parity.{yaml,yml}").delete.fire(uri("/w/old/parity.yaml"));
    (fake.folders as Fired).fire({});
    (fake.folders as Fired).fire({});
    await settle();
    expect(fake.searches).toHaveLength(1);
    fake.searches.shift()!(["/w/old/parity.yaml", "/w/keep/parity.yaml"]);
    expect(await listed).toEqual(["/w/keep/parity.yaml", "/w/new/parity.yaml"]);
    await settle();
    expect(fake.searches).toHaveLength(1);
    fake.searches.shift()!(["/w/keep/parity.yaml"]);
    await settle();
    expect(await presence.list()).toEqual(["/w/keep/parity.yaml"]);
    expect(fake.searches).toHaveLength(0);
    presence.dispose();
  });
});

describe("the index of the workspace's profiles", () => {
  it("applies the changes reported during a search to what it found", () => {
    const index = new ProfileIndex();
    index.searchStarted();
    index.add("/w/new/parity.yaml");
    index.removeBelow("/w/gone");
    index.move("/w/from", "/w/to");
    const changed = index.searchFinished([
      "/w/gone/x/parity.yaml",
      "/w/from/parity.yml",
      "/w/keep/parity.yaml",
    ]);
    expect(changed).toBe(true);
    expect(index.list()).toEqual(["/w/keep/parity.yaml", "/w/new/parity.yaml", "/w/to/parity.yml"]);
  });

  it("keeps what it knows when a search fails, and works out the governed folders once per change", () => {
    const index = new ProfileIndex();
    index.add(path.join("/w", "parity.yaml"));
    expect(index.searchFinished(undefined)).toBe(false);
    const governed = index.governed();
    expect(index.governed()).toBe(governed);
    expect(index.removeBelow("/w/elsewhere")).toBe(false);
    expect(index.governed()).toBe(governed);
    index.add("/w/sub/parity.yaml");
    expect(index.governed()).not.toBe(governed);
    expect(index.governed().map((folder) => folder.dir)).toEqual(["/w", "/w/sub"]);
  });
});
