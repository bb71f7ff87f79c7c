import { html } from "lit";
import type { Severity } from "../../../src/core/parity/types";

/** A report or diagnosis item's first lines: severity, what is wrong, and the fix. */
export function itemText(item: { severity: Severity; message: string; fix: string }) {
  return html`
    <div class="message">
      <span class="severity severity-${item.severity}">${item.severity}</span>${item.message}
    </div>
    <div class="fix"><strong>Fix:</strong> ${item.fix}</div>
  `;
}
