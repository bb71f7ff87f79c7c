import { html, nothing, type TemplateResult } from "lit";
import type { Severity } from "../../../src/protocol/report";

interface ItemLike {
  code: string;
  severity: Severity;
  message: string;
  fix: string;
}

/** A report or diagnosis item's first lines: severity, what is wrong, and the fix. */
export function itemText(item: { severity: Severity; message: string; fix: string }) {
  return html`
    <div class="message">
      <span class="severity severity-${item.severity}">${item.severity}</span>${item.message}
    </div>
    <div class="fix"><strong>Fix:</strong> ${item.fix}</div>
  `;
}

/**
 * The shell of a report or diagnosis item: the bordered box with its E2E hooks
 * (`data-testid`, `data-code`, `data-severity`), its text, then what the panel adds below.
 */
export function itemCard(
  testId: string,
  item: ItemLike,
  ...rest: Array<TemplateResult | typeof nothing>
): TemplateResult {
  return html`
    <div
      class="item severity-border-${item.severity}"
      data-testid=${testId}
      data-code=${item.code}
      data-severity=${item.severity}
    >
      ${itemText(item)} ${rest}
    </div>
  `;
}

/** A link that runs `action` instead of navigating (a webview has nowhere to go). */
export function actionLink(label: string, action: () => void, testId?: string): TemplateResult {
  return html`<a
    href="#"
    data-testid=${testId ?? nothing}
    @click=${(event: Event) => {
      event.preventDefault();
      action();
    }}
    >${label}</a
  >`;
}
