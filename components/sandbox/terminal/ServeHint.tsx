"use client";

import type { ServeSuggestion } from "./use-serve-suggestion";

type Props = {
  suggestion: ServeSuggestion;
  timeoutSeconds: number;
  moving: boolean;
  onRunInBackground: () => void;
  onDismiss: () => void;
};

/**
 * "This program is serving on port N": a run ends at its time limit (exit 137) and its address is
 * not reachable from the browser, so the one-click way out is a background process with a preview.
 */
export function ServeHint({ suggestion, timeoutSeconds, moving, onRunInBackground, onDismiss }: Props) {
  const { port, running } = suggestion;
  return (
    <div className="serve-hint" role="status" data-testid="serve-hint" data-port={port}>
      <span className="grow">
        {running ? (
          <>
            This program is serving on <strong>port {port}</strong>. A run stops after {timeoutSeconds} s and its address is not reachable from here: run it in
            the background to keep it with a preview.
          </>
        ) : (
          <>
            This program was serving on <strong>port {port}</strong> when its run ended. Run it in the background to keep it running with a preview.
          </>
        )}
      </span>
      <button className="btn btn-small" data-testid="serve-in-background" disabled={moving} onClick={onRunInBackground}>
        {moving ? "Moving…" : "Run in background with preview"}
      </button>
      <button className="btn btn-ghost btn-small" aria-label="Dismiss" title="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
