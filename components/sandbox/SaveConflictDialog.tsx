"use client";

import dynamic from "next/dynamic";
import { useEffect, useRef, useState } from "react";
import type { SaveConflict } from "./types";

// Monaco's diff editor, loaded only when someone compares.
const ConflictDiff = dynamic(() => import("./ConflictDiff"), { ssr: false, loading: () => <p className="muted pad">Loading the comparison…</p> });

export type ConflictChoice = "overwrite" | "reload" | "cancel";

/**
 * A save refused because the file changed elsewhere (another tab, an AI, a program): the user's
 * edits are kept until they choose. Compare shows the stored version beside theirs (Monaco diff;
 * their side can be edited to merge), Overwrite stores theirs (or the merge) over the stored one,
 * Reload takes the stored one, Cancel goes back to editing. A native modal <dialog>: focus trap
 * and Escape (= Cancel) come with it.
 */
export function SaveConflictDialog({
  conflict,
  onResolve,
}: {
  conflict: SaveConflict | null;
  onResolve: (choice: ConflictChoice, merged?: string) => Promise<void> | void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [comparing, setComparing] = useState(false);
  const [busy, setBusy] = useState(false);
  const readMerged = useRef<(() => string) | null>(null);
  const open = conflict !== null;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  // A new conflict (another file, or the stored version moved again) starts from the question.
  const key = conflict ? `${conflict.path}\n${conflict.theirsVersion}` : null;
  useEffect(() => {
    setComparing(false);
    setBusy(false);
    readMerged.current = null;
  }, [key]);

  const choose = (choice: ConflictChoice) => {
    if (busy) return;
    setBusy(choice !== "cancel");
    const merged = choice === "overwrite" && comparing ? readMerged.current?.() : undefined;
    void Promise.resolve(onResolve(choice, merged)).finally(() => setBusy(false));
  };

  const deleted = conflict?.theirsVersion === null;
  return (
    <dialog
      ref={ref}
      className={`card conflict-dialog${comparing ? " comparing" : ""}`}
      aria-labelledby="conflict-title"
      onCancel={(event) => {
        event.preventDefault();
        choose("cancel");
      }}
      data-testid="save-conflict-dialog"
    >
      {conflict && (
        <>
          <h2 id="conflict-title">
            <span className="mono">{conflict.path}</span> {deleted ? "was deleted elsewhere" : "changed elsewhere"}
          </h2>
          <p className="muted">
            {deleted
              ? "Since you opened it, someone (another tab, an AI or a program) deleted this file. Your edits are not saved yet."
              : "Since you opened it, someone (another tab, an AI or a program) saved another version. Your edits are not saved yet: nothing is lost until you choose."}
          </p>
          {comparing && (
            <div className="conflict-compare">
              <div className="conflict-labels small muted">
                <span>Stored now{deleted ? " (deleted)" : ""}</span>
                <span>Yours (editable: merge here, then Overwrite)</span>
              </div>
              <ConflictDiff theirs={conflict.theirs ?? ""} mine={conflict.mine} onEditor={(read) => (readMerged.current = read)} />
            </div>
          )}
          <div className="conflict-actions">
            {!comparing && (
              <button
                className="btn btn-ghost"
                onClick={() => setComparing(true)}
                disabled={conflict.theirsBinary}
                title={conflict.theirsBinary ? "The stored file is binary" : "Show the stored version beside yours"}
                data-testid="conflict-compare"
              >
                Compare
              </button>
            )}
            <button
              className="btn"
              onClick={() => choose("overwrite")}
              disabled={busy}
              title={deleted ? "Create the file again with your text" : "Save your text over the stored version"}
              data-testid="conflict-overwrite"
            >
              {deleted ? "Save mine" : comparing ? "Overwrite with mine" : "Overwrite"}
            </button>
            <button
              className="btn btn-ghost"
              onClick={() => choose("reload")}
              disabled={busy}
              title={deleted ? "Close the file and drop your edits" : "Drop your edits and load the stored version"}
              data-testid="conflict-reload"
            >
              {deleted ? "Discard mine" : "Reload"}
            </button>
            <button className="btn btn-ghost" onClick={() => choose("cancel")} data-testid="conflict-cancel">
              Cancel
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
