import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { endpointFor, endpointWords } from "./endpoints";

/** Parity: Copy Endpoint URL — the clicked (or picked) serving endpoint's URL, to the clipboard. */
export async function copyEndpointUrl(services: Services, arg?: unknown): Promise<void> {
  const endpoint = await endpointFor(services, arg, { action: "copy the URL of", liveOnly: true });
  if (!endpoint) return;
  const url = endpoint.result.endpoint?.url;
  if (!url) {
    throw new ParityError(
      "EndpointHasNoUrl",
      `The endpoint ${endpointWords(endpoint.result)} has no URL yet.`,
      {
        fix: "Wait until it serves: its row in the Endpoints view shows the URL then.",
      },
    );
  }
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
}
