"use client";

import { useEffect, useRef } from "react";
import { SHORTCUTS } from "./ide-shortcuts";

/** The keyboard shortcuts, in a native modal <dialog> (focus trap and Escape come with it). */
export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog ref={ref} className="card help-dialog" aria-labelledby="help-title" onClose={onClose} data-testid="help-dialog">
      <h2 id="help-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button className="btn" autoFocus>
          Close
        </button>
      </form>
    </dialog>
  );
}
