"use client";

import { useEffect, useRef } from "react";

/** The IDE's keyboard shortcuts, as the help dialog lists them. */
export const SHORTCUTS: { keys: string; action: string }[] = [
  { keys: "Ctrl/Cmd+S", action: "Save the active file" },
  { keys: "Ctrl/Cmd+B", action: "Show or hide the file explorer" },
  { keys: "Ctrl/Cmd+J", action: "Show or hide the bottom panel" },
  { keys: "Alt+1 … Alt+9", action: "Show a bottom panel tab (Terminal, Shell, Executions, Metrics); the next number shows or hides the preview" },
  { keys: "Alt+W", action: "Close the active editor tab" },
  { keys: "Alt+PageUp / Alt+PageDown", action: "Previous / next editor tab" },
  { keys: "? or F1", action: "This help (in the editor F1 opens the editor's command palette)" },
  { keys: "Ctrl/Cmd+F, Ctrl/Cmd+H", action: "Find, replace (in the editor)" },
  { keys: "Ctrl+Space", action: "Suggestions (in the editor)" },
  { keys: "F12, Shift+F12", action: "Go to definition, find references (in the editor)" },
  { keys: "Escape", action: "Close a dialog" },
];

export type ShortcutHandlers = {
  save: () => void;
  toggleExplorer: () => void;
  toggleBottom: () => void;
  showPanel: (index: number) => void;
  closeTab: () => void;
  cycleTab: (step: 1 | -1) => void;
  help: () => void;
};

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT";
}

/**
 * Window-level shortcuts, in the bubbling phase: a key the editor (or its Vim/Emacs mode) handles
 * never arrives here, so the editor keeps precedence over the IDE's own keys.
 */
export function useIdeShortcuts(handlers: ShortcutHandlers) {
  const ref = useRef(handlers);
  useEffect(() => {
    ref.current = handlers;
  });
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.defaultPrevented) return;
      const h = ref.current;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      let handled = true;
      if (mod && !event.altKey && !event.shiftKey && key === "s") h.save();
      else if (mod && !event.altKey && !event.shiftKey && key === "b") h.toggleExplorer();
      else if (mod && !event.altKey && !event.shiftKey && key === "j") h.toggleBottom();
      else if (event.altKey && !mod && /^Digit[1-9]$/.test(event.code)) h.showPanel(Number(event.code.slice(5)) - 1);
      else if (event.altKey && !mod && event.code === "KeyW") h.closeTab();
      else if (event.altKey && !mod && event.key === "PageDown") h.cycleTab(1);
      else if (event.altKey && !mod && event.key === "PageUp") h.cycleTab(-1);
      else if (event.key === "F1" || (event.key === "?" && !mod && !typingInto(event.target))) h.help();
      else handled = false;
      if (handled) event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
