"use client";

import { DiffEditor } from "@monaco-editor/react";
import "./monaco-setup";

export type CheckpointDiffProps = { path: string; original: string; modified: string };

/** Monaco's side-by-side diff of one file in a checkpoint, read-only (loaded only in the browser). */
export default function CheckpointDiff({ path, original, modified }: CheckpointDiffProps) {
  return (
    <div className="checkpoint-diff" data-testid="checkpoint-diff">
      <DiffEditor
        height="100%"
        theme="vs-dark"
        // Distinct model URIs per checkpoint side, so the workspace's own models are never touched.
        originalModelPath={`inmemory://checkpoint/before/${path}`}
        modifiedModelPath={`inmemory://checkpoint/after/${path}`}
        original={original}
        modified={modified}
        options={{
          readOnly: true,
          originalEditable: false,
          renderSideBySide: true,
          // The bottom panel is narrow: keep both sides rather than Monaco's inline fallback.
          useInlineViewWhenSpaceIsLimited: false,
          minimap: { enabled: false },
          automaticLayout: true,
        }}
      />
    </div>
  );
}
