"use client";

import { DiffEditor } from "@monaco-editor/react";
import { configureMonaco } from "./monaco-setup";

/**
 * The stored version (left, read-only) beside the user's (right, editable: they may merge before
 * overwriting). Plain text on purpose: TypeScript models would join the workspace's TypeScript
 * program and report duplicate declarations in the real files while the comparison is open.
 */
export default function ConflictDiff({ theirs, mine, onEditor }: { theirs: string; mine: string; onEditor: (readMerged: () => string) => void }) {
  // The wrapper sets the height: the editor's own wrapper is styled inline at 100% of its parent.
  return (
    <div className="conflict-diff" data-testid="conflict-diff">
      <DiffEditor
        height="100%"
        original={theirs}
        modified={mine}
        language="plaintext"
        theme="vs-dark"
        beforeMount={() => configureMonaco()}
        onMount={(editor) => onEditor(() => editor.getModifiedEditor().getValue())}
        options={{ originalEditable: false, readOnly: false, minimap: { enabled: false }, fontSize: 13, scrollBeyondLastLine: false, automaticLayout: true }}
        loading={<p className="muted pad">Loading the comparison…</p>}
      />
    </div>
  );
}
