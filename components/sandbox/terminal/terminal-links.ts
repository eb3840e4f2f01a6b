import type { ILinkHandler } from "@xterm/xterm";

/**
 * Opens a link a program printed, in a new tab with no opener, only when it is http(s): program
 * output is sandbox-controlled, and a `javascript:` (or data:, file:) link opened from the app's
 * page would run as the app. Both kinds of terminal link go through here: URLs recognised in the
 * text (web-links addon) and OSC 8 hyperlinks, whose visible text can differ from the target.
 */
export function openTerminalLink(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return;
  window.open(url.href, "_blank", "noopener,noreferrer");
}

/** OSC 8 hyperlinks: http(s) only, opened without a confirm() dialog that output could spam. */
export const TERMINAL_LINK_HANDLER: ILinkHandler = {
  activate: (_event, uri) => openTerminalLink(uri),
  allowNonHttpProtocols: false,
};
