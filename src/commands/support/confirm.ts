import * as vscode from "vscode";
import type { ConfirmationNeeded } from "../../app/targets/target";

/**
 * Asks before work is stopped or deleted: the name typed exactly where the target asks for it (a
 * protected namespace), a modal yes elsewhere. Undefined when the user backed out; else what they
 * typed (undefined inside when a yes was enough).
 */
export async function confirmRemoval(
  needed: ConfirmationNeeded,
  action: { verb: string; detail: string },
): Promise<{ typedName?: string } | undefined> {
  const name = needed.typeToConfirm;
  if (name !== undefined) {
    const typedName = await vscode.window.showInputBox({
      title: `${action.verb} ${needed.what}`,
      prompt: `${needed.why ?? "It is protected"}: type ${name} to ${action.verb.toLowerCase()} it and its pods.`,
      placeHolder: name,
      ignoreFocusOut: true,
      validateInput: (value) => (value === name ? undefined : `Type ${name} exactly.`),
    });
    return typedName === undefined ? undefined : { typedName };
  }
  const choice = await vscode.window.showWarningMessage(
    `${action.verb} ${needed.what}?`,
    { modal: true, detail: action.detail },
    action.verb,
  );
  return choice === action.verb ? {} : undefined;
}
