import { describe, expect, it, vi } from "vitest";
import { HostMessenger } from "../../../src/protocol/messaging";
import {
  reportFromWebview,
  type ReportFromWebview,
  type ReportToWebview,
} from "../../../src/protocol/report";
import { logsFromWebview } from "../../../src/protocol/logs";

function reportHost() {
  const posted: unknown[] = [];
  const handlers = { ready: vi.fn(), applyFix: vi.fn(), openLocation: vi.fn(), refresh: vi.fn() };
  const malformed = vi.fn();
  const messenger = new HostMessenger<ReportToWebview, ReportFromWebview>(
    (message) => posted.push(message),
    reportFromWebview,
    handlers,
    malformed,
  );
  return { posted, handlers, malformed, messenger };
}

describe("HostMessenger", () => {
  it("holds posts until the webview says ready, then sends them in order", () => {
    const { posted, messenger, handlers } = reportHost();
    messenger.send("applied", { requestId: 1, ok: true, message: "done" });
    expect(posted).toEqual([]);

    messenger.receive({ type: "ready" });

    expect(posted).toEqual([{ type: "applied", payload: { requestId: 1, ok: true, message: "done" } }]);
    expect(handlers.ready).toHaveBeenCalledOnce();
    messenger.send("applied", { requestId: 2, ok: false, message: "no" });
    expect(posted).toHaveLength(2);
  });

  it("keeps only the newest state while waiting, and holds again after the webview reloads", () => {
    const { posted, messenger } = reportHost();
    const state = (summary: string) => ({ summary }) as unknown as ReportToWebview["state"];
    messenger.sendLatest("state", state("old"));
    messenger.sendLatest("state", state("new"));
    messenger.receive({ type: "ready", payload: {} });
    expect(posted).toEqual([{ type: "state", payload: { summary: "new" } }]);

    messenger.unready();
    messenger.send("state", state("later"));
    expect(posted).toHaveLength(1);
  });

  it("rejects malformed messages instead of handling them", () => {
    const { messenger, handlers, malformed } = reportHost();
    for (const raw of [
      null,
      "ready",
      { type: "deleteEverything" },
      { type: "applyFix", payload: { requestId: 1, index: -1 } },
      { type: "applyFix", payload: { requestId: 1, index: "0" } },
      { type: "toString" },
    ]) {
      messenger.receive(raw);
    }
    expect(malformed).toHaveBeenCalledTimes(6);
    expect(handlers.applyFix).not.toHaveBeenCalled();

    messenger.receive({ type: "applyFix", payload: { requestId: 3, index: 0, extra: true } });
    expect(handlers.applyFix).toHaveBeenCalledWith({ requestId: 3, index: 0 });
  });

  it("validates the logs panel's filters", () => {
    expect(logsFromWebview.save({ filter: { streams: ["stderr", "other"] } })).toEqual({
      filter: { streams: ["stderr"] },
    });
    expect(logsFromWebview.copyAll({ filter: { streams: [], sources: "worker-0" } })).toBeUndefined();
    expect(logsFromWebview.copyVisible({ text: "a\nb", lines: 2 })).toEqual({ text: "a\nb", lines: 2 });
  });
});
