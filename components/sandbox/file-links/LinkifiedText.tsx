"use client";

import { memo, type ReactNode } from "react";
import type { FileLinkHandler } from "./xterm-file-links";

/**
 * Plain text (a process's output) with its `file:line` references as buttons that open the file
 * at that line. Text stays text: React escapes it, and only references the handler accepts (files
 * of the project) become buttons.
 */
export const LinkifiedText = memo(function LinkifiedText({ text, handler }: { text: string; handler: FileLinkHandler | undefined }) {
  if (!handler) return <>{text}</>;
  const parts: ReactNode[] = [];
  let key = 0;
  for (const line of text.split("\n")) {
    if (key) parts.push("\n");
    let at = 0;
    for (const link of handler.links(line)) {
      if (link.start > at) parts.push(line.slice(at, link.start));
      parts.push(
        <button
          key={key++}
          type="button"
          className="file-link"
          data-testid="file-link"
          title={`Open ${link.path} at line ${link.line}`}
          onClick={() => handler.open(link)}
        >
          {line.slice(link.start, link.end)}
        </button>,
      );
      at = link.end;
    }
    parts.push(line.slice(at));
    key++;
  }
  return <>{parts}</>;
});
