"use client";

import { useEffect } from "react";
import { useTRPCClient } from "@/lib/trpc/client";
import { monaco } from "./monaco-setup";
import { workspacePath } from "./monaco-workspace";

// Monaco's TypeScript worker does not read Vue single-file components. For a .vue file the server
// checks the unsaved text as vue-tsc does (files.vueDiagnostics, in a worker thread there) and the
// answer becomes this model's markers: nothing runs on the page's thread but the request.

/** Typing pauses this long before a check is asked for: each one costs the server a type-check. */
const PAUSE_MS = 600;
/** Markers of this owner are the Vue checker's, replaced as a whole by each answer. */
const MARKER_OWNER = "vue-tsc";

const isVueFile = (path: string | null): path is string => path?.endsWith(".vue") ?? false;

/**
 * Keeps the shown .vue file's markers in step with vue-tsc: after each pause in typing, on
 * switching to it, and when another project file changes (`sources`). An answer for text that has
 * changed since is dropped; a refused check (a public project one does not own, a busy server)
 * leaves the markers as they were.
 */
export function useVueDiagnostics(editor: monaco.editor.IStandaloneCodeEditor | null, projectId: number, sources: ReadonlyMap<string, string>) {
  const client = useTRPCClient();
  useEffect(() => {
    if (!editor) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: AbortController | undefined;

    const check = async (model: monaco.editor.ITextModel, path: string) => {
      const version = model.getVersionId();
      const request = (inFlight = new AbortController());
      try {
        const found = await client.files.vueDiagnostics.mutate({ projectId, path, content: model.getValue() }, { signal: request.signal });
        if (request.signal.aborted || model.isDisposed() || model.getVersionId() !== version) return;
        monaco.editor.setModelMarkers(
          model,
          MARKER_OWNER,
          found.map((d) => ({
            severity: d.severity === "error" ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
            startLineNumber: d.line,
            startColumn: d.column,
            endLineNumber: d.endLine,
            endColumn: d.endColumn,
            message: d.message,
            code: String(d.code),
            source: "vue-tsc",
          })),
        );
      } catch {
        // Superseded (aborted), refused or busy: the next pause in typing asks again.
      }
    };

    const schedule = () => {
      clearTimeout(timer);
      inFlight?.abort();
      const model = editor.getModel();
      const path = workspacePath(model);
      if (!model || !isVueFile(path)) return;
      timer = setTimeout(() => void check(model, path), PAUSE_MS);
    };

    schedule();
    const subscriptions = [editor.onDidChangeModelContent(schedule), editor.onDidChangeModel(schedule)];
    return () => {
      clearTimeout(timer);
      inFlight?.abort();
      for (const s of subscriptions) s.dispose();
    };
  }, [editor, projectId, client, sources]);
}
